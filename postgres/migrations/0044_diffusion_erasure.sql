-- Diffusion retention: a cancelled diffusion past its retention loses its
-- subject and text (tripline.DiffusionErasable); erased marks those done.
ALTER TABLE diffusions ADD COLUMN erased BIGINT NOT NULL DEFAULT 0;
