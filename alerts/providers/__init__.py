"""Outgoing HTTP for the alert channels: pooled keep-alive sessions (``http``) and the Chinese
SMS providers' signed APIs (``aliyun``, ``tencent``)."""
