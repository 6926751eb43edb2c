-- +goose Up
-- Reaction counts kept on the post, so that a feed page reads them with the
-- posts instead of grouping post_reactions for every page (that GROUP BY was
-- the largest query of a feed read). Triggers keep them exact however a
-- reaction row comes or goes, the cascade from a deleted user included.
ALTER TABLE posts ADD COLUMN reactions_like  INTEGER NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN reactions_love  INTEGER NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN reactions_party INTEGER NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN reactions_clap  INTEGER NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN reactions_laugh INTEGER NOT NULL DEFAULT 0;

UPDATE posts SET
    reactions_like  = (SELECT COUNT(*) FROM post_reactions r WHERE r.org_id = posts.org_id AND r.post_id = posts.id AND r.kind = 'like'),
    reactions_love  = (SELECT COUNT(*) FROM post_reactions r WHERE r.org_id = posts.org_id AND r.post_id = posts.id AND r.kind = 'love'),
    reactions_party = (SELECT COUNT(*) FROM post_reactions r WHERE r.org_id = posts.org_id AND r.post_id = posts.id AND r.kind = 'party'),
    reactions_clap  = (SELECT COUNT(*) FROM post_reactions r WHERE r.org_id = posts.org_id AND r.post_id = posts.id AND r.kind = 'clap'),
    reactions_laugh = (SELECT COUNT(*) FROM post_reactions r WHERE r.org_id = posts.org_id AND r.post_id = posts.id AND r.kind = 'laugh');

-- +goose StatementBegin
CREATE TRIGGER post_reactions_count_insert AFTER INSERT ON post_reactions BEGIN
    UPDATE posts SET
        reactions_like  = reactions_like  + (new.kind = 'like'),
        reactions_love  = reactions_love  + (new.kind = 'love'),
        reactions_party = reactions_party + (new.kind = 'party'),
        reactions_clap  = reactions_clap  + (new.kind = 'clap'),
        reactions_laugh = reactions_laugh + (new.kind = 'laugh')
    WHERE org_id = new.org_id AND id = new.post_id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER post_reactions_count_delete AFTER DELETE ON post_reactions BEGIN
    UPDATE posts SET
        reactions_like  = reactions_like  - (old.kind = 'like'),
        reactions_love  = reactions_love  - (old.kind = 'love'),
        reactions_party = reactions_party - (old.kind = 'party'),
        reactions_clap  = reactions_clap  - (old.kind = 'clap'),
        reactions_laugh = reactions_laugh - (old.kind = 'laugh')
    WHERE org_id = old.org_id AND id = old.post_id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER post_reactions_count_delete;
DROP TRIGGER post_reactions_count_insert;
ALTER TABLE posts DROP COLUMN reactions_laugh;
ALTER TABLE posts DROP COLUMN reactions_clap;
ALTER TABLE posts DROP COLUMN reactions_party;
ALTER TABLE posts DROP COLUMN reactions_love;
ALTER TABLE posts DROP COLUMN reactions_like;
