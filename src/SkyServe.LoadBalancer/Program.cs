using SkyServe.LoadBalancer.Hosting;

LoadBalancerOptions options;
try
{
    options = LoadBalancerCommandLine.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}\n{LoadBalancerCommandLine.Usage}");
    return 2;
}
var app = LoadBalancerHost.Build(options);
await app.StartAsync();
Console.WriteLine($"SkyServe load balancer listening on {LoadBalancerHost.BoundAddress(app)}");
await app.WaitForShutdownAsync();
return 0;
