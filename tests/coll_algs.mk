# Fast (shared-memory, hierarchical) collectives and forced algorithms (issue 4).
