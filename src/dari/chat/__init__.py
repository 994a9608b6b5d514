"""The assistant (intent → documents + ERP → streamed, cited answer) and the chat server.

See docs/assistant.md for the pipeline and docs/chat-protocol.md for the WebSocket protocol.
"""
