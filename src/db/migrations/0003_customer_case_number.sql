ALTER TABLE "customers" ADD COLUMN "case_number" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "blocked_reason" text;--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_case_number_unique" UNIQUE("case_number");