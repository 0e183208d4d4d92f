-- A case from an unknown sender lists the earlier mail from the same address beside it (the customer
-- panel). Nothing indexed the address, so each such case page read every case: 145 ms at 200,000 cases.
-- Only cases that came from an unknown sender have an address, so the index stays small.
CREATE INDEX cases_sender_idx ON cases (sender_address, created_at DESC, id DESC) WHERE sender_address IS NOT NULL;
