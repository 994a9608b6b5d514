"""The training server (학습 서버): datasets from employees' feedback, router retraining and
LoRA fine-tuning of the answer model, each gated before it reaches users (docs/training.md)."""
