"""Numbered migrations of the project file.

Each migration runs in one transaction (sqlite-utils' Migrations). Never edit a released migration:
add the next number. `SCHEMA_VERSION` is written to `PRAGMA user_version` so a file from a newer
Director is recognised before anything touches it.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

APPLICATION_ID = 0x44495243  # 'DIRC'
MIGRATION_SET = "director"

migrations = Migrations(MIGRATION_SET)


@migrations(name="0001_base")
def m0001_base(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE project (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            name TEXT NOT NULL,
            fps_num INTEGER NOT NULL DEFAULT 24,
            fps_den INTEGER NOT NULL DEFAULT 1,
            width INTEGER NOT NULL DEFAULT 768,
            height INTEGER NOT NULL DEFAULT 512,
            currency TEXT NOT NULL DEFAULT 'USD',
            gpu_price_per_hour TEXT NOT NULL DEFAULT '2.50',
            energy_price_per_kwh TEXT,
            budget_money TEXT,
            budget_gpu_s REAL,
            idle_cutoff_s INTEGER NOT NULL DEFAULT 120,
            created_at TEXT NOT NULL
        );
        CREATE TABLE scenes (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            ord INTEGER NOT NULL,
            notes TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );
        CREATE TABLE shots (
            id INTEGER PRIMARY KEY,
            scene_id INTEGER REFERENCES scenes(id),
            code TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            ord INTEGER NOT NULL,
            target_frames INTEGER NOT NULL DEFAULT 96,
            status TEXT NOT NULL DEFAULT 'draft'
                CHECK (status IN ('draft', 'review', 'approved', 'locked')),
            budget_money TEXT,
            budget_gpu_s REAL,
            notes TEXT NOT NULL DEFAULT '',
            current_prompt_id INTEGER,
            deleted_at TEXT,
            created_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX shots_live_code ON shots(code) WHERE deleted_at IS NULL;
        CREATE TABLE prompts (
            id INTEGER PRIMARY KEY,
            shot_id INTEGER NOT NULL REFERENCES shots(id),
            version INTEGER NOT NULL,
            subject TEXT NOT NULL DEFAULT '', action TEXT NOT NULL DEFAULT '',
            setting TEXT NOT NULL DEFAULT '', shot_size TEXT NOT NULL DEFAULT '',
            angle TEXT NOT NULL DEFAULT '', movement TEXT NOT NULL DEFAULT '',
            lens TEXT NOT NULL DEFAULT '', lighting TEXT NOT NULL DEFAULT '',
            look TEXT NOT NULL DEFAULT '', negative TEXT NOT NULL DEFAULT '',
            free_text TEXT NOT NULL DEFAULT '',
            composed TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (shot_id, version)
        );
        CREATE TABLE cameras (
            id INTEGER PRIMARY KEY,
            shot_id INTEGER NOT NULL REFERENCES shots(id),
            name TEXT NOT NULL,
            shot_size TEXT NOT NULL DEFAULT '', angle TEXT NOT NULL DEFAULT '',
            movement TEXT NOT NULL DEFAULT '', lens TEXT NOT NULL DEFAULT '',
            notes TEXT NOT NULL DEFAULT '',
            ord INTEGER NOT NULL DEFAULT 0,
            UNIQUE (shot_id, name)
        );
        CREATE TABLE jobs (
            id INTEGER PRIMARY KEY,
            shot_id INTEGER NOT NULL REFERENCES shots(id),
            camera_id INTEGER REFERENCES cameras(id),
            prompt_id INTEGER REFERENCES prompts(id),
            preset TEXT NOT NULL,
            params TEXT NOT NULL DEFAULT '{}',
            seeds TEXT NOT NULL DEFAULT '[]',
            state TEXT NOT NULL DEFAULT 'queued'
                CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
            queue_order INTEGER NOT NULL DEFAULT 0,
            parent_take_id INTEGER,
            created_at TEXT NOT NULL,
            started_at TEXT, finished_at TEXT,
            load_s REAL, gpu_s REAL, wall_s REAL, energy_wh REAL, peak_mem_bytes INTEGER,
            money_micros INTEGER,
            gpu_price_per_hour TEXT, energy_price_per_kwh TEXT, currency TEXT,
            estimate_gpu_s REAL,
            error_kind TEXT, error TEXT,
            node TEXT, device TEXT, model_revision TEXT
        );
        CREATE TABLE takes (
            id INTEGER PRIMARY KEY,
            job_id INTEGER NOT NULL REFERENCES jobs(id),
            shot_id INTEGER NOT NULL REFERENCES shots(id),
            camera_id INTEGER REFERENCES cameras(id),
            prompt_id INTEGER REFERENCES prompts(id),
            seed INTEGER NOT NULL,
            variant INTEGER NOT NULL DEFAULT 0,
            kind TEXT NOT NULL CHECK (kind IN ('image', 'video')),
            media_path TEXT NOT NULL,
            thumb_path TEXT,
            width INTEGER NOT NULL, height INTEGER NOT NULL,
            frames INTEGER NOT NULL DEFAULT 1,
            fps_num INTEGER NOT NULL DEFAULT 24, fps_den INTEGER NOT NULL DEFAULT 1,
            rating INTEGER NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5),
            flag TEXT NOT NULL DEFAULT 'none' CHECK (flag IN ('none', 'selected', 'rejected')),
            notes TEXT NOT NULL DEFAULT '',
            parent_take_id INTEGER REFERENCES takes(id),
            extra TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL,
            deleted_at TEXT
        );
        CREATE TABLE time_log (
            id INTEGER PRIMARY KEY,
            shot_id INTEGER REFERENCES shots(id),
            started_at TEXT NOT NULL,
            seconds REAL NOT NULL CHECK (seconds >= 0),
            source TEXT NOT NULL CHECK (source IN ('auto', 'manual')),
            note TEXT NOT NULL DEFAULT ''
        );
        """
    )


@migrations(name="0002_looks_expenses_indexes")
def m0002_looks_expenses_indexes(db: Database) -> None:
    """Reusable look presets, manual expenses, and the indexes the per-shot views need."""
    db.executescript(
        """
        CREATE TABLE look_presets (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            text TEXT NOT NULL
        );
        CREATE TABLE expenses (
            id INTEGER PRIMARY KEY,
            shot_id INTEGER REFERENCES shots(id),
            amount_micros INTEGER NOT NULL,
            currency TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );
        CREATE INDEX takes_by_shot ON takes(shot_id, created_at);
        CREATE INDEX takes_by_job ON takes(job_id);
        -- covering indexes: per-shot totals read only the index, not the rows
        CREATE INDEX jobs_by_shot ON jobs(shot_id, gpu_s, money_micros);
        CREATE INDEX live_takes_by_shot ON takes(shot_id, deleted_at);
        CREATE INDEX jobs_by_state ON jobs(state, queue_order);
        CREATE INDEX prompts_by_shot ON prompts(shot_id, version);
        CREATE INDEX cameras_by_shot ON cameras(shot_id, ord);
        CREATE INDEX time_log_by_shot ON time_log(shot_id);
        INSERT INTO look_presets (name, text) VALUES
            ('35 mm grain', '35mm film, fine grain, halation, soft contrast'),
            ('Anamorphic', 'anamorphic lens, oval bokeh, horizontal lens flares, 2.39:1 framing'),
            ('Noir', 'black and white, high contrast, hard shadows, venetian blind light'),
            ('Golden hour', 'warm golden hour sunlight, long shadows, glowing haze');
        """
    )




def _count_migrations() -> int:
    """Every registered migration is pending on an empty database."""
    return len(migrations.pending(Database(memory=True)))


@migrations(name="0003_timeline")
def m0003_timeline(db: Database) -> None:
    """The edit: timelines of tracks of clips (a gap is a clip row without a shot), the take each
    camera shows in a clip, and angle cuts in the clip's source frames. A project starts with "Cut".

    Statements run one by one rather than through executescript, which commits first and would
    break the migration's single transaction."""
    script = """
        CREATE TABLE timelines (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL
        );
        CREATE TABLE tracks (
            id INTEGER PRIMARY KEY,
            timeline_id INTEGER NOT NULL REFERENCES timelines(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'video' CHECK (kind IN ('video')),
            ord INTEGER NOT NULL
        );
        CREATE TABLE clips (
            id INTEGER PRIMARY KEY,
            track_id INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
            ord INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('clip', 'gap')),
            shot_id INTEGER REFERENCES shots(id),
            source_in INTEGER NOT NULL DEFAULT 0 CHECK (source_in >= 0),
            duration INTEGER NOT NULL CHECK (duration > 0),
            camera_id INTEGER REFERENCES cameras(id) ON DELETE SET NULL,
            CHECK ((kind = 'gap') = (shot_id IS NULL))
        );
        CREATE INDEX clips_by_track ON clips(track_id, ord);
        CREATE INDEX clips_by_shot ON clips(shot_id);
        CREATE TABLE clip_takes (
            clip_id INTEGER NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
            camera_id INTEGER NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
            take_id INTEGER NOT NULL REFERENCES takes(id) ON DELETE CASCADE,
            PRIMARY KEY (clip_id, camera_id)
        );
        CREATE TABLE angle_cuts (
            clip_id INTEGER NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
            source_frame INTEGER NOT NULL CHECK (source_frame >= 0),
            camera_id INTEGER NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
            PRIMARY KEY (clip_id, source_frame)
        );
        INSERT INTO timelines (id, name, created_at) VALUES (1, 'Cut', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
        INSERT INTO tracks (id, timeline_id, name, ord) VALUES (1, 1, 'V1', 0);
    """
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


@migrations(name="0004_cost")
def m0004_cost(db: Database) -> None:
    """Each job's estimate error (recorded when it finishes, so estimates can be judged later), and
    indexes for the ledger: a preset's recent history, expenses per shot."""
    db.execute("ALTER TABLE jobs ADD COLUMN estimate_error REAL")
    db.execute("CREATE INDEX jobs_by_preset ON jobs(preset, state, finished_at)")
    db.execute("CREATE INDEX expenses_by_shot ON expenses(shot_id)")


@migrations(name="0005_gpu_prices")
def m0005_gpu_prices(db: Database) -> None:
    """Price per GPU hour by GPU type, so a job on a cluster of mixed machines is charged at the
    price of the GPU it ran on (director.engine.engine_choice reads and writes it)."""
    db.execute("CREATE TABLE gpu_prices (gpu_type TEXT PRIMARY KEY COLLATE NOCASE, price_per_hour TEXT NOT NULL)")


@migrations(name="0006_recipe")
def m0006_recipe(db: Database) -> None:
    """Each job's recipe (what was asked, at queue time) and run facts (what ran, from the worker).

    Both are written once: triggers refuse any later change, so no code path can rewrite what made
    a take's pixels. Jobs from before this migration have none; readers say so instead of guessing.
    """
    db.execute("ALTER TABLE jobs ADD COLUMN recipe TEXT")
    db.execute("ALTER TABLE jobs ADD COLUMN run_facts TEXT")
    for column in ("recipe", "run_facts"):
        db.execute(
            f"CREATE TRIGGER jobs_{column}_written_once BEFORE UPDATE OF {column} ON jobs "
            f"WHEN OLD.{column} IS NOT NULL AND NEW.{column} IS NOT OLD.{column} "
            f"BEGIN SELECT RAISE(ABORT, 'a job''s {column.replace('_', ' ')} is written once and never changed'); END"
        )


@migrations(name="0007_id_counters")
def m0007_id_counters(db: Database) -> None:
    """The highest id each undo-deletable table has handed out (store.ids), so no id is reused."""
    db.execute("CREATE TABLE id_counters (name TEXT PRIMARY KEY, last_id INTEGER NOT NULL)")
    for table in ("cameras", "scenes"):
        db.execute(f"INSERT INTO id_counters (name, last_id) SELECT '{table}', coalesce(max(id), 0) FROM {table}")


@migrations(name="0008_script")
def m0008_script(db: Database) -> None:
    """Where scenes and shots came from in a screenplay (so a re-import merges), each shot's
    dialogue, and the cast with look notes and reference images."""
    for column in ("script_key TEXT", "heading TEXT NOT NULL DEFAULT ''", "int_ext TEXT NOT NULL DEFAULT ''",
                   "location TEXT NOT NULL DEFAULT ''", "time_of_day TEXT NOT NULL DEFAULT ''", "script_status TEXT"):
        db.execute(f"ALTER TABLE scenes ADD COLUMN {column}")
    for column in ("script_key TEXT", "script_digest TEXT", "script_prompt_id INTEGER", "script_status TEXT",
                   "script_note TEXT NOT NULL DEFAULT ''", "dialogue TEXT NOT NULL DEFAULT '[]'"):
        db.execute(f"ALTER TABLE shots ADD COLUMN {column}")
    db.execute("CREATE INDEX shots_by_script_key ON shots(script_key)")
    db.execute(
        "CREATE TABLE cast_members (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, "
        "look_notes TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE cast_images (cast_id INTEGER NOT NULL REFERENCES cast_members(id) ON DELETE CASCADE, "
        "media_path TEXT NOT NULL, note TEXT NOT NULL DEFAULT '', PRIMARY KEY (cast_id, media_path))"
    )


@migrations(name="0009_current_cut")
def m0009_current_cut(db: Database) -> None:
    """Which of a project's cuts is current (the window shows it; commands use it by default)."""
    db.execute("ALTER TABLE project ADD COLUMN current_timeline_id INTEGER")


@migrations(name="0010_record_start")
def m0010_record_start(db: Database) -> None:
    """The programme's first record timecode, shared by every export (store/edit_settings.py)."""
    db.execute("ALTER TABLE project ADD COLUMN record_start_tc TEXT NOT NULL DEFAULT '01:00:00:00'")


@migrations(name="0011_finals")
def m0011_finals(db: Database) -> None:
    """Draft → final conform (store/finals.py): each final render of a draft take, the recipe key it
    was made from (so a re-conform reuses it), the take frames the cut used, and its drift from the
    draft; and the clips a director toggled back to their draft (a re-conform leaves them so)."""
    db.execute(
        "CREATE TABLE finals (id INTEGER PRIMARY KEY, draft_take_id INTEGER NOT NULL REFERENCES takes(id), "
        "job_id INTEGER NOT NULL REFERENCES jobs(id), final_take_id INTEGER REFERENCES takes(id), "
        "recipe_key TEXT NOT NULL, used_start INTEGER NOT NULL DEFAULT 0, used_end INTEGER NOT NULL DEFAULT 0, "
        "render_start INTEGER NOT NULL DEFAULT 0, render_end INTEGER NOT NULL DEFAULT 0, "
        "drift TEXT, created_at TEXT NOT NULL, landed_at TEXT)"
    )
    db.execute("CREATE INDEX finals_by_draft ON finals(draft_take_id)")
    db.execute("CREATE TABLE conform_holds (clip_id INTEGER PRIMARY KEY, draft_take_id INTEGER NOT NULL, created_at TEXT NOT NULL)")


@migrations(name="0012_cost_index")
def m0012_cost_index(db: Database) -> None:
    """A covering index for the per-shot cost sums (store/ledger.group_totals): the Costs panel and
    `report costs --by shot` read every metered job, and at 20,000 takes the table scan was most of
    their time."""
    db.execute(
        "CREATE INDEX jobs_cost_by_shot ON jobs(shot_id, money_micros, currency, gpu_s, wall_s, energy_wh, "
        "finished_at, created_at)"
    )


@migrations(name="0013_audio")
def m0013_audio(db: Database) -> None:
    """Sound (store/audio.py): imported sound files and takes' own sound, both content-addressed
    48 kHz stereo WAV in the media folder; audio tracks of imported clips per cut (the takes' own
    sound track 'A1' is derived from the picture and only keeps its mute, solo and gain here); and
    per picture clip its J/L offsets, gain, and the take its sound stays on. Positions in samples."""
    db.execute(
        "CREATE TABLE audio_files (id INTEGER PRIMARY KEY, name TEXT NOT NULL, media_path TEXT NOT NULL, "
        "samples INTEGER NOT NULL CHECK (samples > 0), source_name TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE take_audio (take_id INTEGER PRIMARY KEY REFERENCES takes(id) ON DELETE CASCADE, "
        "media_path TEXT NOT NULL, samples INTEGER NOT NULL CHECK (samples > 0))"
    )
    db.execute(
        "CREATE TABLE audio_tracks (id INTEGER PRIMARY KEY, timeline_id INTEGER NOT NULL REFERENCES timelines(id) ON DELETE CASCADE, "
        "name TEXT NOT NULL, kind TEXT NOT NULL DEFAULT 'clips' CHECK (kind IN ('linked', 'clips')), ord INTEGER NOT NULL, "
        "mute INTEGER NOT NULL DEFAULT 0, solo INTEGER NOT NULL DEFAULT 0, gain_db REAL NOT NULL DEFAULT 0)"
    )
    db.execute("CREATE UNIQUE INDEX audio_tracks_one_linked ON audio_tracks(timeline_id) WHERE kind = 'linked'")
    db.execute(
        "CREATE TABLE audio_clips (id INTEGER PRIMARY KEY, track_id INTEGER NOT NULL REFERENCES audio_tracks(id) ON DELETE CASCADE, "
        "audio_id INTEGER NOT NULL REFERENCES audio_files(id), record_start INTEGER NOT NULL CHECK (record_start >= 0), "
        "source_in INTEGER NOT NULL DEFAULT 0 CHECK (source_in >= 0), duration INTEGER NOT NULL CHECK (duration > 0), "
        "gain_db REAL NOT NULL DEFAULT 0)"
    )
    db.execute("CREATE INDEX audio_clips_by_track ON audio_clips(track_id, record_start)")
    db.execute(
        "CREATE TABLE clip_sound (clip_id INTEGER PRIMARY KEY REFERENCES clips(id) ON DELETE CASCADE, "
        "lead INTEGER NOT NULL DEFAULT 0 CHECK (lead >= 0), lag INTEGER NOT NULL DEFAULT 0 CHECK (lag >= 0), "
        "gain_db REAL NOT NULL DEFAULT 0, take_id INTEGER REFERENCES takes(id) ON DELETE SET NULL)"
    )


@migrations(name="0014_keyframes")
def m0014_keyframes(db: Database) -> None:
    """Keyframes on a shot (store/keyframes.py): a still in the media store at a frame (-1: the
    clip's last), and where it came from; and the user's LoRAs per preset with their strengths
    (store/loras.py), which every job of that preset records in its recipe."""
    db.execute(
        "CREATE TABLE keyframes (id INTEGER PRIMARY KEY, shot_id INTEGER NOT NULL REFERENCES shots(id) ON DELETE CASCADE, "
        "frame INTEGER NOT NULL CHECK (frame >= -1), source TEXT NOT NULL CHECK (source IN ('take', 'file', 't2i')), "
        "media_path TEXT NOT NULL, take_id INTEGER REFERENCES takes(id) ON DELETE SET NULL, take_frame INTEGER, "
        "note TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, UNIQUE (shot_id, frame))"
    )
    db.execute(
        "CREATE TABLE loras (id INTEGER PRIMARY KEY, preset TEXT NOT NULL, name TEXT NOT NULL, path TEXT NOT NULL, "
        "strength REAL NOT NULL, created_at TEXT NOT NULL, UNIQUE (preset, name))"
    )


@migrations(name="0015_blocking")
def m0015_blocking(db: Database) -> None:
    """Blocking per shot (store/blocking.py): where each subject (by its words) and each camera (by
    its id) stands on the ground plane, and where a subject faces; a shot without rows uses the
    defaults of core/blocking.py."""
    db.execute(
        "CREATE TABLE blocking (shot_id INTEGER NOT NULL REFERENCES shots(id) ON DELETE CASCADE, "
        "kind TEXT NOT NULL CHECK (kind IN ('subject', 'camera')), key TEXT NOT NULL, x REAL NOT NULL, "
        "z REAL NOT NULL, facing REAL NOT NULL DEFAULT 0, PRIMARY KEY (shot_id, kind, key))"
    )


@migrations(name="0016_qc")
def m0016_qc(db: Database) -> None:
    """Continuity QC of video takes (store/qc.py): per take its per-frame curves and mean CIELAB
    colours (JSON), the score per metric, the grade under the project's thresholds (re-graded when
    they change) and what measuring cost; and the project's QC thresholds, per metric."""
    db.execute(
        "CREATE TABLE take_qc (take_id INTEGER PRIMARY KEY REFERENCES takes(id) ON DELETE CASCADE, "
        "version INTEGER NOT NULL, frames INTEGER NOT NULL DEFAULT 0, width INTEGER NOT NULL DEFAULT 0, "
        "height INTEGER NOT NULL DEFAULT 0, curves TEXT NOT NULL DEFAULT '{}', lab TEXT NOT NULL DEFAULT '[]', "
        "flicker REAL, warp REAL, frozen REAL, cut REAL, grade INTEGER CHECK (grade IN (0, 1, 2)), "
        "severity REAL NOT NULL DEFAULT 0, cpu_s REAL, wall_s REAL, error TEXT, created_at TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX take_qc_by_grade ON take_qc(grade, severity)")
    db.execute(
        "CREATE TABLE qc_thresholds (metric TEXT PRIMARY KEY, amber REAL NOT NULL, red REAL NOT NULL)"
    )


@migrations(name="0017_roto")
def m0017_roto(db: Database) -> None:
    """Roto (store/roto.py): named objects on a take, the points and boxes clicked on its frames
    (ids from store.ids, so undo puts a prompt back under its own id), and the mattes a segment
    job made: content-addressed .npz files in the media store, one per object, naming their job."""
    db.execute(
        "CREATE TABLE roto_objects (id INTEGER PRIMARY KEY, take_id INTEGER NOT NULL REFERENCES takes(id) ON DELETE CASCADE, "
        "name TEXT NOT NULL, created_at TEXT NOT NULL, UNIQUE (take_id, name))"
    )
    db.execute(
        "CREATE TABLE roto_prompts (id INTEGER PRIMARY KEY, object_id INTEGER NOT NULL REFERENCES roto_objects(id) ON DELETE CASCADE, "
        "frame INTEGER NOT NULL CHECK (frame >= 0), kind TEXT NOT NULL CHECK (kind IN ('positive', 'negative', 'box')), "
        "x0 REAL NOT NULL, y0 REAL NOT NULL, x1 REAL, y1 REAL, created_at TEXT NOT NULL, "
        "CHECK ((kind = 'box') = (x1 IS NOT NULL AND y1 IS NOT NULL)))"
    )
    db.execute("CREATE INDEX roto_prompts_by_object ON roto_prompts(object_id, frame)")
    db.execute(
        "CREATE TABLE mattes (id INTEGER PRIMARY KEY, take_id INTEGER NOT NULL REFERENCES takes(id) ON DELETE CASCADE, "
        "job_id INTEGER NOT NULL REFERENCES jobs(id), object_id INTEGER REFERENCES roto_objects(id) ON DELETE SET NULL, "
        "name TEXT NOT NULL, media_path TEXT NOT NULL, thumb_path TEXT NOT NULL, frames INTEGER NOT NULL CHECK (frames > 0), "
        "width INTEGER NOT NULL CHECK (width > 0), height INTEGER NOT NULL CHECK (height > 0), "
        "extra TEXT NOT NULL DEFAULT '{}', created_at TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX mattes_by_take ON mattes(take_id, id)")


@migrations(name="0018_sweeps")
def m0018_sweeps(db: Database) -> None:
    """Sweeps recorded as a group (store/sweeps.py): the grid's axes in the order they were asked,
    and one row per cell naming its job and its value on every axis, so the sweep view places each
    take from the file alone. Sweeps queued before this are found again from their jobs' params."""
    db.execute(
        "CREATE TABLE sweeps (id INTEGER PRIMARY KEY, shot_id INTEGER NOT NULL REFERENCES shots(id), "
        "parameter TEXT, axes TEXT NOT NULL, created_at TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE sweep_cells (sweep_id INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE, "
        "job_id INTEGER NOT NULL REFERENCES jobs(id), ord INTEGER NOT NULL, axes TEXT NOT NULL, "
        "PRIMARY KEY (sweep_id, job_id))"
    )
    db.execute("CREATE INDEX sweep_cells_by_job ON sweep_cells(job_id)")
    from director.store.sweeps import backfill_sweeps

    backfill_sweeps(db)


@migrations(name="0019_script_diff")
def m0019_script_diff(db: Database) -> None:
    """What a re-import changed in a scene's heading (old → new, as a diff, like a shot's
    `script_note`), so the flag can be read before it is cleared; and the cast members whose
    reference images a shot uses (store/cast.py), chosen per shot in the Cast panel."""
    db.execute("ALTER TABLE scenes ADD COLUMN script_note TEXT NOT NULL DEFAULT ''")
    db.execute(
        "CREATE TABLE shot_cast (shot_id INTEGER NOT NULL REFERENCES shots(id) ON DELETE CASCADE, "
        "cast_id INTEGER NOT NULL REFERENCES cast_members(id) ON DELETE CASCADE, PRIMARY KEY (shot_id, cast_id))"
    )


@migrations(name="0020_lineage_index")
def m0020_lineage_index(db: Database) -> None:
    """Takes by the take they were made from (store/lineage.py): the viewer reads a take's versions
    on every change to it, a scan of every take without this (5 ms at 20,000 takes)."""
    db.execute("CREATE INDEX takes_by_parent ON takes(parent_take_id) WHERE parent_take_id IS NOT NULL")


# Add new migrations above this line, numbered in order.
SCHEMA_VERSION = _count_migrations()
