"""System checks registered at start-up (see apps.CoreConfig.ready)."""
