"""The assistant's three steps: intent analysis, context gathering, cited answer."""
