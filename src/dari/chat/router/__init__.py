"""The router: decides intent, ERP tools and their arguments from the question, without a model."""
