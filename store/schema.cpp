#include "store/schema.hpp"

#include <array>

namespace accelscope::store {

namespace {

// Timestamps are Unix seconds (REAL); JSON is stored as text. The per-layer breakdown has its
// own table so that scanning trials for plots never reads it.
constexpr std::string_view kVersion1 = R"sql(
CREATE TABLE accelscope_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE study (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  spec TEXT NOT NULL,
  spec_hash TEXT NOT NULL,
  strategy TEXT NOT NULL,
  seed INTEGER NOT NULL,
  budget INTEGER NOT NULL,
  engine_version TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'paused', 'done', 'failed')),
  created_at REAL NOT NULL,
  updated_at REAL NOT NULL,
  objectives TEXT NOT NULL,
  reference_point TEXT NOT NULL,
  options TEXT NOT NULL
);

CREATE TABLE trial (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  study_id INTEGER NOT NULL REFERENCES study (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  batch INTEGER NOT NULL,
  point TEXT NOT NULL,
  params TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
  worker TEXT,
  claimed_at REAL,
  created_at REAL NOT NULL,
  metrics TEXT,
  feasible INTEGER,
  violations TEXT,
  workloads TEXT,
  on_front INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  UNIQUE (study_id, seq)
);
CREATE INDEX trial_by_status ON trial (study_id, status, seq);
CREATE INDEX trial_on_front ON trial (study_id, seq) WHERE on_front = 1;

CREATE TABLE trial_objective (
  trial_id INTEGER NOT NULL REFERENCES trial (id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  name TEXT NOT NULL,
  value REAL NOT NULL,
  PRIMARY KEY (trial_id, idx)
) WITHOUT ROWID;

CREATE TABLE trial_breakdown (
  trial_id INTEGER PRIMARY KEY REFERENCES trial (id) ON DELETE CASCADE,
  breakdown TEXT NOT NULL
);
)sql";

// Per-trial timing, for throughput and ETA in reports and for polling new results.
constexpr std::string_view kVersion2 = R"sql(
ALTER TABLE trial ADD COLUMN finished_at REAL;
ALTER TABLE trial ADD COLUMN eval_seconds REAL;
CREATE INDEX trial_by_finish ON trial (study_id, finished_at) WHERE finished_at IS NOT NULL;
)sql";

// Studies of a million designs: running counters instead of counting rows, a compact binary form
// of point, params and metrics (BLOBs in the same columns; JSON text rows of older files stay
// readable), a key dictionary per study for that form, worker heartbeats for stale claims, the
// study's identity beyond its spec, and an index of open trials only instead of one over every
// trial's status. Designs that older versions stored with non-finite metrics (JSON null) become
// failed; the migration then rebuilds the fronts of the studies that had any.
constexpr std::string_view kVersion3 = R"sql(
ALTER TABLE study ADD COLUMN pending_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE study ADD COLUMN running_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE study ADD COLUMN done_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE study ADD COLUMN failed_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE study ADD COLUMN feasible_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE study ADD COLUMN identity TEXT NOT NULL DEFAULT '{}';

CREATE TABLE study_key (
  study_id INTEGER NOT NULL REFERENCES study (id) ON DELETE CASCADE,
  kind INTEGER NOT NULL CHECK (kind IN (0, 1)),
  idx INTEGER NOT NULL,
  name TEXT NOT NULL,
  PRIMARY KEY (study_id, kind, idx)
) WITHOUT ROWID;

CREATE TABLE study_worker (
  study_id INTEGER NOT NULL REFERENCES study (id) ON DELETE CASCADE,
  worker TEXT NOT NULL,
  heartbeat_at REAL NOT NULL,
  PRIMARY KEY (study_id, worker)
) WITHOUT ROWID;

UPDATE trial SET status = 'failed', on_front = 0,
  error = 'non-finite metrics (stored as null by an older accelscope)'
  WHERE status = 'done' AND metrics IS NOT NULL
    AND EXISTS (SELECT 1 FROM json_tree(trial.metrics) WHERE json_tree.type = 'null');

DROP INDEX trial_by_status;
CREATE INDEX trial_open ON trial (study_id, seq) WHERE status IN ('pending', 'running');

UPDATE study SET
  pending_count = (SELECT count(*) FROM trial WHERE study_id = study.id AND status = 'pending'),
  running_count = (SELECT count(*) FROM trial WHERE study_id = study.id AND status = 'running'),
  done_count = (SELECT count(*) FROM trial WHERE study_id = study.id AND status = 'done'),
  failed_count = (SELECT count(*) FROM trial WHERE study_id = study.id AND status = 'failed'),
  feasible_count = (SELECT count(*) FROM trial
                    WHERE study_id = study.id AND status = 'done' AND feasible = 1);
)sql";

constexpr std::array kMigrations = {
    Migration{1, "initial layout: studies, trials, objectives, breakdowns", kVersion1},
    Migration{2, "trial timing: finished_at, eval_seconds", kVersion2},
    Migration{3, "compact trials, running counters, key dictionary, heartbeats, identity",
              kVersion3},
};
static_assert(kMigrations.size() == kSchemaVersion);

}  // namespace

std::span<const Migration> migrations() {
  return kMigrations;
}

}  // namespace accelscope::store
