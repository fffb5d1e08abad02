"""The four desired-state kinds as strict pydantic models: pure data, no I/O.

The same models validate user files and generate crds/, so the two cannot disagree.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal, Self
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from controller.desired._redact import shown
from controller.desired._types import (
    DNS1123_LABEL,
    ENV_NAME,
    SCOPE_NAME,
    Dns1123Label,
    Duration,
    IamPolicyArn,
    IamRoleArn,
    ScopeValue,
    SecretsManagerArn,
    SecureUrl,
)

API_VERSION = "ecs-oauth.dev/v1alpha1"
MAX_TOKEN_LIFETIME = timedelta(hours=1)
# Cognito refuses access tokens shorter than five minutes.
MIN_TOKEN_LIFETIME = timedelta(minutes=5)


# IAM role names stop at 64 characters: "ecs-oauth-<role>" and "ecs-oauth-<service>-exec".
RoleName = Annotated[str, StringConstraints(pattern=DNS1123_LABEL, max_length=54)]
ServiceName = Annotated[str, StringConstraints(pattern=DNS1123_LABEL, max_length=49)]
ScopeName = Annotated[str, StringConstraints(pattern=SCOPE_NAME, max_length=256)]


class _Strict(BaseModel):
    """Unknown fields and loose types are errors: a typo must never silently do nothing."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        alias_generator=to_camel,
    )


Mode = Literal["enforce", "detect"]


class FromEnvOrSecret(_Strict):
    """A credential by reference: desired state lives in git, so it never holds the value."""

    from_env: Annotated[str, StringConstraints(pattern=ENV_NAME)] | None = None
    from_secret_arn: SecretsManagerArn | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.from_env is None) == (self.from_secret_arn is None):
            raise ValueError("give exactly one of fromEnv or fromSecretArn")
        return self


class CognitoProvider(_Strict):
    user_pool_id: Annotated[
        str, StringConstraints(pattern=r"^[a-z]{2}(-[a-z]+)+-\d+_[0-9a-zA-Z]+$")
    ]
    token_endpoint: SecureUrl

    @property
    def region(self) -> str:
        return self.user_pool_id.split("_", 1)[0]


class OidcProvider(_Strict):
    issuer: SecureUrl
    initial_access_token: FromEnvOrSecret


class OktaServiceApp(_Strict):
    """The management API through an OAuth service app (private_key_jwt), granted
    ``okta.apps.manage`` and ``okta.authorizationServers.manage``."""

    client_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9$_.+!*'(),-]{6,100}$")]
    # A PEM or a JWK (JSON), by reference like every credential.
    private_key: FromEnvOrSecret
    key_id: Annotated[str, StringConstraints(pattern=r"^[\x21-\x7e]{1,256}$")] | None = None


class OktaProvider(_Strict):
    """An Okta org managed through its management API (not RFC 7592, which Okta lacks
    for client-credentials apps), authorised by an API token or an OAuth service app."""

    org_url: SecureUrl
    # The custom authorization server whose scopes, policies and tokens the clients use
    # (Okta's org authorization server cannot hold custom scopes).
    authorization_server_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{1,64}$")]
    api_token: FromEnvOrSecret | None = None
    service_app: OktaServiceApp | None = None

    @model_validator(mode="after")
    def _one_authorisation(self) -> Self:
        if (self.api_token is None) == (self.service_app is None):
            raise ValueError("give exactly one of apiToken or serviceApp")
        return self

    @field_validator("org_url")
    @classmethod
    def _origin_only(cls, value: str) -> str:
        if urlsplit(value).path not in ("", "/"):
            raise ValueError(
                f"orgUrl {shown(value)} has a path; give the org's origin only, "
                "like https://example.okta.com"
            )
        return value.rstrip("/")


class IdentityProviderSpec(_Strict):
    cognito: CognitoProvider | None = None
    oidc: OidcProvider | None = None
    okta: OktaProvider | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if sum(kind is not None for kind in (self.cognito, self.oidc, self.okta)) != 1:
            raise ValueError("give exactly one of cognito, oidc or okta")
        return self


class ScopeSpec(_Strict):
    provider: Dns1123Label
    resource_server: (
        Annotated[str, StringConstraints(pattern=r"^[\x21\x23-\x5b\x5d-\x7e]{1,256}$")] | None
    ) = None
    value: ScopeValue | None = None
    description: Annotated[str, StringConstraints(max_length=256)] = ""


class RoleSpec(_Strict):
    # At most 50: Cognito's limit of scopes per app client.
    scopes: Annotated[list[ScopeName], Field(min_length=1, max_length=50)]
    token_lifetime: Duration = Field(default="1h", validate_default=True)
    managed_policy_arns: Annotated[list[IamPolicyArn], Field(max_length=20)] = []

    @field_validator("token_lifetime")
    @classmethod
    def _lifetime_in_range(cls, value: timedelta) -> timedelta:
        if value > MAX_TOKEN_LIFETIME:
            raise ValueError("tokenLifetime is over the 1h maximum; short-lived means at most 1h")
        if value < MIN_TOKEN_LIFETIME:
            raise ValueError("tokenLifetime is under 5m, the shortest Cognito issues")
        return value


class TaskDefinitionRef(_Strict):
    family: Annotated[str, StringConstraints(pattern=r"^[a-zA-Z0-9_-]{1,255}$")]
    container: Annotated[str, StringConstraints(pattern=r"^[a-zA-Z0-9_-]{1,255}$")]


class SecretPolicy(_Strict):
    rotate_every: Duration = Field(default="30d", validate_default=True)
    grace_period: Duration = Field(default="1h", validate_default=True)

    @field_validator("rotate_every")
    @classmethod
    def _not_too_often(cls, value: timedelta) -> timedelta:
        if value < timedelta(hours=1):
            raise ValueError("rotateEvery is under 1h; Secrets Manager advises far fewer writes")
        return value

    @field_validator("grace_period")
    @classmethod
    def _grace_shorter_than_rotation(cls, value: timedelta, info: ValidationInfo) -> timedelta:
        rotate_every = info.data.get("rotate_every")
        if rotate_every is not None and value >= rotate_every:
            raise ValueError("gracePeriod must be shorter than rotateEvery")
        return value


class ServiceSpec(_Strict):
    role: Dns1123Label
    cluster: Annotated[str, StringConstraints(pattern=r"^[a-zA-Z0-9_-]{1,255}$")]
    service: Annotated[str, StringConstraints(pattern=r"^[a-zA-Z0-9_-]{1,255}$")] | None = None
    task_definition: TaskDefinitionRef
    execution_role_arn: IamRoleArn | None = None
    secret: SecretPolicy = SecretPolicy()
    mode: Mode | None = None
    adopt: bool = False


LabelKey = Annotated[str, StringConstraints(pattern=r"^([a-z0-9.-]+/)?[A-Za-z0-9_.-]{1,63}$")]


class ObjectMeta(_Strict):
    name: Dns1123Label
    labels: dict[LabelKey, Annotated[str, StringConstraints(max_length=63)]] = {}


class ScopeMeta(ObjectMeta):
    name: ScopeName


class RoleMeta(ObjectMeta):
    name: RoleName


class ServiceMeta(ObjectMeta):
    name: ServiceName


class _Object(_Strict):
    api_version: Literal["ecs-oauth.dev/v1alpha1"]


class IdentityProvider(_Object):
    kind: Literal["IdentityProvider"]
    metadata: ObjectMeta
    spec: IdentityProviderSpec


class Scope(_Object):
    kind: Literal["Scope"]
    metadata: ScopeMeta
    spec: ScopeSpec


class Role(_Object):
    kind: Literal["Role"]
    metadata: RoleMeta
    spec: RoleSpec


class Service(_Object):
    kind: Literal["Service"]
    metadata: ServiceMeta
    spec: ServiceSpec


AnyObject = IdentityProvider | Scope | Role | Service
KINDS: dict[str, type[IdentityProvider] | type[Scope] | type[Role] | type[Service]] = {
    "IdentityProvider": IdentityProvider,
    "Scope": Scope,
    "Role": Role,
    "Service": Service,
}
