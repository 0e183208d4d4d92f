-- File contents in slices of at most 1 MiB, so an upload streams from disk into the database and a
-- download streams back out, and neither ever holds a whole file in memory. The old one-value table
-- is cut into slices of the same size and dropped.
CREATE TABLE attachment_chunks (
  attachment_id  bigint NOT NULL REFERENCES attachments (id) ON DELETE CASCADE,
  seq            integer NOT NULL CHECK (seq >= 0),
  data           bytea NOT NULL,
  PRIMARY KEY (attachment_id, seq)
);
-- Files are mostly compressed already: store slices out of line without trying to compress them.
ALTER TABLE attachment_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

INSERT INTO attachment_chunks (attachment_id, seq, data)
SELECT c.attachment_id, s.seq, substring(c.data FROM s.seq * 1048576 + 1 FOR 1048576)
FROM attachment_contents c
CROSS JOIN LATERAL generate_series(0, greatest(0, (length(c.data) - 1) / 1048576)) AS s (seq);

DROP TABLE attachment_contents;
