# Communicators (issue 4): dup, split, free, isolation.
