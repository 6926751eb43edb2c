// Package group runs groups: open, approval-required, and automatic groups whose membership follows profiles (2019年退職, 営業部 OB/OG, 関西在住).
package group

// Service is a placeholder until the capability is built.
type Service struct{}
