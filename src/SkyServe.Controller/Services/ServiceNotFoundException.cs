namespace SkyServe.Controller.Services;

public sealed class ServiceNotFoundException(string name) : Exception($"service '{name}' does not exist")
{
    public string Name { get; } = name;
}
