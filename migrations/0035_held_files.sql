-- Files that came with a form the user must correct: they passed every check, so they are held for the
-- user (for a day at most) and the corrected form carries their tokens instead of asking for the files
-- again. A held file belongs to the user who sent it; the token alone reaches nothing.
CREATE TABLE held_files (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  token         text NOT NULL UNIQUE CHECK (length(token) >= 32),
  user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  field         text NOT NULL,
  filename      text NOT NULL,
  content_type  text NOT NULL,
  size_bytes    bigint NOT NULL CHECK (size_bytes >= 0),
  sha256        text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX held_files_created_at ON held_files (created_at);

CREATE TABLE held_file_chunks (
  held_id  bigint NOT NULL REFERENCES held_files (id) ON DELETE CASCADE,
  seq      integer NOT NULL CHECK (seq >= 0),
  data     bytea NOT NULL,
  PRIMARY KEY (held_id, seq)
);
ALTER TABLE held_file_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
