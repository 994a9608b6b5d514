"""The demo company 한빛정밀: documents, users and the assistant's Korean question set.

`dari demo setup` builds it on an embedded (non-production) install so a newcomer can sign in
and ask at once; `docs/demo.md` lists the logins.
"""
