//! [`SchemaSettings`]: the knobs the gateway sets when it builds the schema.

use crate::limits::QueryLimits;

/// Settings fixed for the life of a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaSettings {
    /// Attachments larger than this many bytes get `content: null` and must be
    /// fetched from `downloadUrl`, so that one query cannot pull gigabytes
    /// through JSON.
    pub inline_content_cap: u64,
    /// The URL path prefix of the gateway's download route; `downloadUrl` is
    /// `{download_base}/{messageGlobalId}/{partId}`.
    pub download_base: String,
    /// What one operation may ask for.
    pub limits: QueryLimits,
    /// How often a subscription polls its source's state.
    pub live_poll_interval: std::time::Duration,
}

impl Default for SchemaSettings {
    fn default() -> Self {
        Self {
            inline_content_cap: 1024 * 1024,
            download_base: "/download".to_owned(),
            limits: QueryLimits::default(),
            live_poll_interval: std::time::Duration::from_secs(1),
        }
    }
}

impl SchemaSettings {
    /// The schema's settings; the defaults if the schema was built without them.
    pub fn of<'a>(ctx: &async_graphql::Context<'a>) -> &'a SchemaSettings {
        static DEFAULT: std::sync::OnceLock<SchemaSettings> = std::sync::OnceLock::new();
        ctx.data_opt::<SchemaSettings>().unwrap_or_else(|| DEFAULT.get_or_init(SchemaSettings::default))
    }
}
