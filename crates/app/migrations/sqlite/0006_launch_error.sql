-- Why a launch could not be started (outcome failed_to_start).
ALTER TABLE launches ADD COLUMN error TEXT;
