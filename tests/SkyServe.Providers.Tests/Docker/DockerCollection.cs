using SkyServe.Testing;

namespace SkyServe.Providers.Tests.Docker;

/// <summary>The Docker provider's tests share one throwaway dockerd (started once, about 5-10 s) and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class DockerCollection : ICollectionFixture<Dockerd>
{
    public const string Name = "dockerd";
}
