"""Training errors: a catalogue code (`dari.core.errors.CATALOGUE`, which gives the HTTP
status), a Korean sentence for the admin. Also stored as a failed run's `error_code`/`error`."""

from __future__ import annotations

from typing import Any

from dari.core.errors import DariError

NO_TRAINER = (
    "이 서버에는 학습(trainer) 역할이 없어 LoRA 학습을 실행할 수 없습니다. "
    "DARI_ROLES에 trainer를 더하거나(Redis를 쓰면 학습 서버에서 dari serve --role trainer), "
    "명령줄에서 dari train lora --dataset N을 실행해 주세요."
)


class TrainingError(DariError):
    """Answered as problem+json by the one handler; the CLI prints `code: message`."""

    def __init__(self, code: str, message: str | None = None, **extra: Any) -> None:
        super().__init__(code, message, **extra)


def not_found(what: str) -> TrainingError:
    return TrainingError("not_found", f"{what}을(를) 찾을 수 없습니다.")


def empty_dataset() -> TrainingError:
    return TrainingError(
        "empty_dataset",
        "검토된 예시가 없어 데이터셋을 만들 수 없습니다. 먼저 답변을 검토해 주세요.",
    )


def too_few(count: int, needed: int) -> TrainingError:
    return TrainingError(
        "too_few_examples",
        f"검토된 예시가 {count}개뿐입니다. 학습과 평가로 나누려면 {needed}개 이상 필요합니다.",
    )


def corrupt(where: str, line: int, why: str) -> TrainingError:
    return TrainingError(
        "corrupt_dataset", f"데이터셋 파일 {where}의 {line}번째 줄을 읽을 수 없습니다: {why}"
    )


def no_examples(kind: str) -> TrainingError:
    what = {"routes": "경로 교정", "chat": "답변 예시"}.get(kind, kind)
    return TrainingError("no_examples", f"이 데이터셋의 학습용 부분에 {what}이(가) 없습니다.")


def disk_full(path: str) -> TrainingError:
    return TrainingError(
        "disk_full",
        f"디스크 공간이 부족해 {path}에 저장하지 못했습니다. 공간을 확보한 뒤 다시 실행해 "
        "주세요. 아무것도 적용되지 않았습니다.",
    )


def cancelled() -> TrainingError:
    return TrainingError("cancelled", "학습이 취소되었습니다. 아무것도 적용되지 않았습니다.")


def base_mismatch(expected: str, found: str) -> TrainingError:
    return TrainingError(
        "base_model_mismatch",
        f"어댑터가 다른 기본 모델용입니다(어댑터: {found}, 서빙 모델: {expected}). "
        "적용하지 않았습니다.",
    )


def gate_failed() -> TrainingError:
    return TrainingError(
        "gate_failed", "후보가 평가에서 기존보다 나빠 적용할 수 없습니다. 후보로만 보관됩니다."
    )


def not_promotable(status: str) -> TrainingError:
    return TrainingError("not_promotable", f"상태가 '{status}'인 실행은 적용할 수 없습니다.")


def nothing_to_roll_back() -> TrainingError:
    return TrainingError("nothing_promoted", "되돌릴 적용 내역이 없습니다.")


def extra_missing() -> TrainingError:
    return TrainingError(
        "train_extra_missing",
        "LoRA 학습에 필요한 패키지(torch, transformers, peft)가 설치되어 있지 않습니다: "
        "pip install torch==2.13.0 -e '.[train]'",
    )


def bad_route(detail: str) -> TrainingError:
    return TrainingError("bad_route", f"교정한 경로가 올바르지 않습니다: {detail}")
