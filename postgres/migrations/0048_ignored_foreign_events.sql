-- A partner's event that the trust rules refused, or that had nothing to
-- change here, stays in the log (its origin's chain goes on) marked
-- ignored: a node tailing the log applies only what the store took.
-- Earlier ones are never tailed again (a node starts from each partner's
-- head), so they stay 0.
ALTER TABLE events ADD COLUMN ignored INTEGER NOT NULL DEFAULT 0;
