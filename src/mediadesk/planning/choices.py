from django.db import models


class CampaignStatus(models.TextChoices):
    PLANNING = "planning", "Planning"
    BOOKED = "booked", "Booked"
    LIVE = "live", "Live"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class Objective(models.TextChoices):
    AWARENESS = "awareness", "Awareness"
    CONSIDERATION = "consideration", "Consideration"
    CONVERSION = "conversion", "Conversion"
    LEADS = "leads", "Leads"
    SALES = "sales", "Sales"
    APP_INSTALLS = "app_installs", "App installs"
    TRAFFIC = "traffic", "Traffic"
    ENGAGEMENT = "engagement", "Engagement"
    VIDEO_VIEWS = "video_views", "Video views"
    REACH = "reach", "Reach"


class Kpi(models.TextChoices):
    IMPRESSIONS = "impressions", "Impressions"
    REACH = "reach", "Reach"
    FREQUENCY = "frequency", "Frequency"
    GRPS = "grps", "GRPs"
    CPM = "cpm", "CPM"
    CPC = "cpc", "CPC"
    CTR = "ctr", "CTR (%)"
    CPA = "cpa", "CPA"
    CPL = "cpl", "CPL"
    CPV = "cpv", "CPV"
    VCR = "vcr", "Video completion rate (%)"
    ROAS = "roas", "ROAS"
    CONVERSIONS = "conversions", "Conversions"


class Channel(models.TextChoices):
    """The channel taxonomy of placements."""

    LINEAR_TV = "linear_tv", "Linear TV"
    CTV_OTT = "ctv_ott", "CTV / OTT"
    RADIO = "radio", "Radio"
    STREAMING_AUDIO = "streaming_audio", "Streaming audio"
    PODCAST = "podcast", "Podcast"
    NEWSPAPER = "newspaper", "Newspaper"
    MAGAZINE = "magazine", "Magazine"
    OOH = "ooh", "Out-of-home"
    DOOH = "dooh", "Digital out-of-home"
    CINEMA = "cinema", "Cinema"
    SEARCH = "search", "Search"
    SOCIAL = "social", "Social"
    DISPLAY = "display", "Display / programmatic"
    ONLINE_VIDEO = "online_video", "Online video"
    INFLUENCER = "influencer", "Influencer"
    EMAIL = "email", "E-mail / newsletter"
    NATIVE = "native", "Native"
    AFFILIATE = "affiliate", "Affiliate"
    RETAIL_MEDIA = "retail_media", "Retail media"


class CostModel(models.TextChoices):
    """The same values as mediadesk.domain.costmodels.CostModel (a test keeps them equal)."""

    CPM = "cpm", "CPM"
    CPC = "cpc", "CPC"
    CPA = "cpa", "CPA"
    CPL = "cpl", "CPL"
    CPV = "cpv", "CPV"
    CPCV = "cpcv", "CPCV"
    CPE = "cpe", "CPE"
    CPP = "cpp", "CPP (cost per rating point)"
    PER_SPOT = "per_spot", "Per spot"
    PER_INSERTION = "per_insertion", "Per insertion"
    FLAT = "flat", "Flat fee"


class Flighting(models.TextChoices):
    CONTINUOUS = "continuous", "Continuous"
    WEIGHTED = "weighted", "Custom weekly weights"
    PULSING = "pulsing", "Pulsing (dark weeks)"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved (internal)"
    CLIENT_APPROVED = "client_approved", "Client-approved"
    REJECTED = "rejected", "Rejected"
    SUPERSEDED = "superseded", "Superseded"


class ApprovalStage(models.TextChoices):
    INTERNAL = "internal", "Internal"
    CLIENT = "client", "Client"


class Decision(models.TextChoices):
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class ImportOutcome(models.TextChoices):
    PENDING = "pending", "Waiting to be imported"
    IMPORTED = "imported", "Imported as a new draft"
    UNCHANGED = "unchanged", "Same as the latest version; nothing changed"
    FAILED = "failed", "Not imported"
