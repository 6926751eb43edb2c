-- +goose Up
-- Reaction counts kept on the post, so that a feed page reads them with the
-- posts instead of grouping post_reactions for every page (that GROUP BY was
-- the largest query of a feed read). A trigger keeps them exact however a
-- reaction row comes or goes, the cascade from a deleted user included.
ALTER TABLE posts
    ADD COLUMN reactions_like  INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN reactions_love  INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN reactions_party INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN reactions_clap  INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN reactions_laugh INTEGER NOT NULL DEFAULT 0;

UPDATE posts SET
    reactions_like  = c.n_like,
    reactions_love  = c.n_love,
    reactions_party = c.n_party,
    reactions_clap  = c.n_clap,
    reactions_laugh = c.n_laugh
FROM (SELECT org_id, post_id,
        COUNT(*) FILTER (WHERE kind = 'like')  AS n_like,
        COUNT(*) FILTER (WHERE kind = 'love')  AS n_love,
        COUNT(*) FILTER (WHERE kind = 'party') AS n_party,
        COUNT(*) FILTER (WHERE kind = 'clap')  AS n_clap,
        COUNT(*) FILTER (WHERE kind = 'laugh') AS n_laugh
      FROM post_reactions GROUP BY org_id, post_id) c
WHERE posts.org_id = c.org_id AND posts.id = c.post_id;

-- +goose StatementBegin
CREATE FUNCTION post_reactions_count() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r post_reactions;
    d integer;
BEGIN
    IF TG_OP = 'INSERT' THEN
        r := NEW; d := 1;
    ELSE
        r := OLD; d := -1;
    END IF;
    UPDATE posts SET
        reactions_like  = reactions_like  + CASE WHEN r.kind = 'like'  THEN d ELSE 0 END,
        reactions_love  = reactions_love  + CASE WHEN r.kind = 'love'  THEN d ELSE 0 END,
        reactions_party = reactions_party + CASE WHEN r.kind = 'party' THEN d ELSE 0 END,
        reactions_clap  = reactions_clap  + CASE WHEN r.kind = 'clap'  THEN d ELSE 0 END,
        reactions_laugh = reactions_laugh + CASE WHEN r.kind = 'laugh' THEN d ELSE 0 END
    WHERE org_id = r.org_id AND id = r.post_id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER post_reactions_count AFTER INSERT OR DELETE ON post_reactions
    FOR EACH ROW EXECUTE FUNCTION post_reactions_count();

-- +goose Down
DROP TRIGGER post_reactions_count ON post_reactions;
DROP FUNCTION post_reactions_count();
ALTER TABLE posts
    DROP COLUMN reactions_laugh,
    DROP COLUMN reactions_clap,
    DROP COLUMN reactions_party,
    DROP COLUMN reactions_love,
    DROP COLUMN reactions_like;
