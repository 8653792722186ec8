ALTER TABLE "vacancies" ADD COLUMN "places" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "vacancy_sources" ADD COLUMN "content" jsonb;--> statement-breakpoint
ALTER TABLE "vacancy_sources" ADD COLUMN "content_changed_at" timestamp with time zone;