"""npgrad's compiler: pure AST -> AST passes (pipeline.py lists them) and the rule table."""
