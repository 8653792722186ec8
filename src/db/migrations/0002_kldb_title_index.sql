CREATE TABLE "kldb_crosswalk" (
	"legacy_code" text NOT NULL,
	"code" text NOT NULL,
	"titles" integer NOT NULL,
	CONSTRAINT "kldb_crosswalk_legacy_code_code_pk" PRIMARY KEY("legacy_code","code")
);
--> statement-breakpoint
CREATE TABLE "kldb_index_snapshots" (
	"revision" text NOT NULL,
	"fingerprint" text NOT NULL,
	"data" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "kldb_index_snapshots_revision_fingerprint_pk" PRIMARY KEY("revision","fingerprint")
);
--> statement-breakpoint
CREATE TABLE "kldb_titles" (
	"list" text NOT NULL,
	"dkz_id" integer NOT NULL,
	"code" text NOT NULL,
	"state" text NOT NULL,
	"neutral" text NOT NULL,
	"male" text NOT NULL,
	"female" text NOT NULL,
	CONSTRAINT "kldb_titles_list_dkz_id_pk" PRIMARY KEY("list","dkz_id")
);
