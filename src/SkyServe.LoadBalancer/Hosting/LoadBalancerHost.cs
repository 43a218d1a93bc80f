using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SkyServe.LoadBalancer.Forwarding;
using SkyServe.LoadBalancer.LoadBalancing;
using SkyServe.LoadBalancer.Resumption;
using SkyServe.LoadBalancer.Routing;
using SkyServe.LoadBalancer.Stats;
using Yarp.ReverseProxy.LoadBalancing;

namespace SkyServe.LoadBalancer.Hosting;

/// <summary>Builds the load balancer: one Kestrel listener, YARP's forwarder, the route table and its follower, stats.</summary>
public static class LoadBalancerHost
{
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A setting is bad (<see cref="LoadBalancerOptionsValidator"/>).</exception>
    public static WebApplication Build(LoadBalancerOptions options)
    {
        LoadBalancerOptionsValidator.ThrowIfInvalid(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Yarp", LogLevel.Error); // failed attempts are retried and logged by the proxy itself
        // Off, not merely quiet: while this category is enabled at all, every request gets an Activity and a log scope.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = InlineIo.Enabled);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodySize;
            kestrel.Limits.MaxRequestHeadersTotalSize = options.MaxRequestHeadersTotalSize;
            kestrel.AddServerHeader = false;
        });
        var listeners = new ServicePortListeners(options);
        if (listeners.HasHttps)
            builder.WebHost.UseKestrelHttpsConfiguration(); // the slim builder leaves HTTPS out unless asked
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Configure(listeners.Configuration, reloadOnChange: true);
            kestrel.ConfigureHttpsDefaults(https => https.ServerCertificateSelector = (connection, _) => listeners.CertificateFor(connection?.LocalEndPoint));
        });

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(listeners);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<RouteTable>();
        services.AddSingleton<ServiceSelector>();
        services.AddSingleton<PassiveHealth>();
        services.AddSingleton<StatsRegistry>();
        services.AddSingleton<ListenAddress>();
        services.AddSingleton<ILoadBalancingPolicy, RoundRobinPolicy>();
        services.AddSingleton<ILoadBalancingPolicy, LeastLoadPolicy>();
        services.AddSingleton<ILoadBalancingPolicy>(sp =>
        {
            var table = sp.GetRequiredService<RouteTable>();
            return new InstanceAwareLeastLoadPolicy(d => table.Routes.Values.SelectMany(r => r.Replicas).FirstOrDefault(r => r.Destination == d)?.Weight ?? 1);
        });
        services.AddHttpForwarder();
        services.AddSingleton(new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            ActivityHeadersPropagator = null,
        }));
        if (options.ControllerUrl is not null)
        {
            services.AddSingleton(new ControllerClient(options));
            services.AddSingleton<ServiceCertificates>();
            services.AddSingleton<StatsReporter>();
            services.AddHostedService(sp => sp.GetRequiredService<StatsReporter>());
            services.AddHostedService<ControllerRouteFollower>();
            if (options.ServicePorts)
                services.AddHostedService<ServicePortSync>();
            services.AddSingleton(sp => new ReplicaFailureReporter(sp.GetRequiredService<ControllerClient>(), sp.GetRequiredService<ILogger<ReplicaFailureReporter>>()));
            services.AddSingleton(sp => new ScaleToZeroGate(options, sp.GetRequiredService<RouteTable>(), sp.GetRequiredService<StatsReporter>()));
        }
        else
        {
            services.AddSingleton(sp => new ReplicaFailureReporter(null, sp.GetRequiredService<ILogger<ReplicaFailureReporter>>()));
            services.AddSingleton(sp => new ScaleToZeroGate(options, sp.GetRequiredService<RouteTable>(), null));
        }
        services.AddSingleton<ReplicaPicker>();
        services.AddSingleton<ResumingForwarder>();
        services.AddSingleton<ProxyHandler>();
        services.AddSingleton<OwnPages>();

        var app = builder.Build();
        if (options.StaticBackends.Count > 0)
            app.Services.GetRequiredService<RouteTable>().Replace([new ServiceRoute(ServiceSelector.StaticService, options.StaticPolicy,
                options.StaticBackends.Select((url, i) => new Replica($"{i + 1}", url, 1, 1)).ToList(), ScaleToZero: false)]);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            app.Services.GetRequiredService<ListenAddress>().Bound = new Uri(bound);
        });

        var proxy = app.Services.GetRequiredService<ProxyHandler>();
        var pages = app.Services.GetRequiredService<OwnPages>();
        app.Run(context => context.Request.Path.StartsWithSegments(OwnPages.Prefix) ? pages.HandleAsync(context) : proxy.HandleAsync(context));
        return app;
    }

    public static Uri BoundAddress(WebApplication app) => app.Services.GetRequiredService<ListenAddress>().Bound!;
}
