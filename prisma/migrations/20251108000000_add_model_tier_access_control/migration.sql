-- AlterTable
ALTER TABLE "models" ADD COLUMN     "required_tier" "subscription_tier" NOT NULL DEFAULT 'free',
ADD COLUMN     "tier_restriction_mode" VARCHAR(20) NOT NULL DEFAULT 'minimum',
ADD COLUMN     "allowed_tiers" "subscription_tier"[] NOT NULL DEFAULT ARRAY['free', 'pro', 'enterprise']::"subscription_tier"[];

-- CreateIndex
CREATE INDEX "models_required_tier_idx" ON "models"("required_tier");

-- CreateIndex
CREATE INDEX "models_is_available_required_tier_idx" ON "models"("is_available", "required_tier");
