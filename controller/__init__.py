"""ecs-oauth: a reconciling controller that gives every ECS task a scoped OAuth identity."""

__version__ = "0.1.0"
