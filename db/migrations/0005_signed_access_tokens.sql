-- Access tokens are signed from here on (lib/oauth/access-tokens.ts) and no longer stored: only
-- revocations are. Tokens issued before this migration stop working; clients fetch new ones.
-- Stop every instance of the previous version before starting this one: they still use
-- access_tokens and would answer 500 once it is gone.
DROP TABLE "access_tokens" CASCADE;--> statement-breakpoint
CREATE TABLE "revoked_access_tokens" (
	"token_id" text PRIMARY KEY NOT NULL,
	"client_id" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "revoked_access_tokens" ADD CONSTRAINT "revoked_access_tokens_client_id_api_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."api_clients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "revoked_access_tokens_client_idx" ON "revoked_access_tokens" USING btree ("client_id");--> statement-breakpoint
CREATE INDEX "revoked_access_tokens_expires_idx" ON "revoked_access_tokens" USING btree ("expires_at");