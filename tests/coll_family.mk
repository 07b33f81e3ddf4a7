# Reductions, gather/scatter family (issue 4).
