"""HTTP surface: WeChat callbacks, the business API, health."""
