-- Tip retention: a tip past its retention loses its reporter, subject and
-- text (tripline.TipErasable); erased marks those done.
ALTER TABLE tips ADD COLUMN erased INTEGER NOT NULL DEFAULT 0;
