"""The server: REST API, OpenAI-compatible /v1 and the Gradio UI mount."""
