//! The assembled application: what `relais serve` runs and what the HTTP
//! tests start, built the same way by [`Application::build`]. The
//! command line (`main.rs`) reads the settings and gives the parts; the
//! tests give a fixed clock and a file notifier.
#![forbid(unsafe_code)]

use relais_service::notify::Notifier;
use relais_service::{Clock, ServiceConfig, Services, Store};
use relais_web::{AppState, WebConfig};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// What the use cases are made of.
pub struct Parts {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub config: ServiceConfig,
    pub notifier: Arc<dyn Notifier>,
}

impl Parts {
    /// The use cases over these parts (the command line's commands use
    /// them without a server).
    pub fn services(self) -> Services {
        Services::new(self.store, self.clock, self.config).with_notifier(self.notifier)
    }
}

/// The web application on a bound listener, not yet serving.
pub struct Application {
    listener: TcpListener,
    services: Services,
    state: AppState,
}

impl Application {
    /// Assembles the use cases and the web layer over `listener`.
    pub fn build(listener: TcpListener, parts: Parts, web: WebConfig) -> Self {
        let services = parts.services();
        let state = AppState::new(services.clone(), web);
        Self {
            listener,
            services,
            state,
        }
    }

    pub fn services(&self) -> &Services {
        &self.services
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` resolves.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        relais_web::serve(self.listener, self.state, shutdown).await
    }
}
