package db

// CachedStatements tells the tests how many statements the pool holds.
func (p *Pool) CachedStatements() int { return int(p.n.Load()) }

const MaxCachedStatements = maxCachedStatements
