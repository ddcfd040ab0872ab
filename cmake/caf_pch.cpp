// Anchor for the shared precompiled <caf/all.hpp>.
