-- +goose Up
-- How a member's name is written in English: given name first (Taro Tanaka,
-- the default) or family name first (Tanaka Taro), as each person prefers.
ALTER TABLE users ADD COLUMN name_order_en TEXT NOT NULL DEFAULT 'given_first' CHECK (name_order_en IN ('given_first', 'family_first'));

-- +goose Down
ALTER TABLE users DROP COLUMN name_order_en;
