// The outbox under a worker that is killed again and again in the middle of a burst: nothing is lost,
// and each kill repeats at most the one mail whose 250 arrived before its row was marked sent.
import t from 'tap';
import { build, mailbox } from './helpers.js';
import { outboxKillLoop } from './processes.js';

t.test(
  'a worker killed six times during a burst of 60 mails loses none and repeats at most one per kill',
  async (t) => {
    const inbox = await mailbox(t);
    const { db, config } = await build(t);
    const kills = 6;
    const result = await outboxKillLoop(db, config.databaseUrl!, inbox, { mails: 60, kills });
    t.comment(`outbox: ${result.duplicates} duplicates after ${kills} kills`);
    t.equal(result.distinct, 60, 'every mail arrived');
    t.ok(result.duplicates <= kills, `${result.duplicates} duplicates after ${kills} kills (at most one per kill)`);
    t.equal(result.unsent, 0, 'every row is marked sent');
  },
);
