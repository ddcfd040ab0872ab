-- 0001: the schema that holds every Nexus table. Later migrations add the
-- broker's tables to it. (The migration runner creates nexus.schema_migrations
-- itself, under its advisory lock, before applying this file.)
CREATE SCHEMA IF NOT EXISTS nexus;
COMMENT ON SCHEMA nexus IS 'Nexus broker state; changed only by numbered migrations';
