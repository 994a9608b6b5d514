"""Document ingestion settings: upload size, parser bounds, OCR and chunking."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from dari.config.base import Section


class DocumentSettings(Section):
    model_config = SettingsConfigDict(env_prefix="DARI_DOCUMENTS_")

    max_upload_mb: int = Field(100, ge=1, le=10240, description="Largest accepted upload, MB.")
    max_pages: int = Field(
        2000,
        ge=1,
        le=100000,
        description="A PDF with more pages is refused (the document ends `failed`).",
    )
    max_uncompressed_mb: int = Field(
        512,
        ge=1,
        description="Most bytes a zip container (DOCX/XLSX/PPTX/HWPX) or an HWP stream may "
        "expand to; beyond it the file is treated as a zip bomb.",
    )
    max_zip_ratio: int = Field(
        100,
        ge=2,
        description="Largest compression ratio of one zip member over 1 MB (zip-bomb guard).",
    )
    chunk_tokens: int = Field(
        400,
        ge=32,
        le=512,
        description="Chunk size in tokens of the embedding model (multilingual-e5-small reads "
        "at most 512, title and headings included).",
    )
    chunk_overlap: float = Field(
        0.15, ge=0.0, le=0.5, description="Overlap between consecutive chunks of a section."
    )
    ocr: bool = Field(
        True,
        description="OCR PDF pages without a text layer with Tesseract when it is installed "
        "(Debian `tesseract-ocr tesseract-ocr-kor`); otherwise such pages are reported.",
    )
    ocr_languages: str = Field("kor+eng", description="Tesseract languages for OCR.")
    ocr_max_pages: int = Field(
        50, ge=0, description="Most pages OCRed per document (OCR takes seconds per page)."
    )
    ocr_timeout_s: int = Field(120, ge=5, description="Time limit of OCR for one page.")
    embed_batch: int = Field(
        16, ge=1, le=512, description="Chunks embedded per batch (progress is reported per batch)."
    )
