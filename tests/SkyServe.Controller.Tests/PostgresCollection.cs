using SkyServe.Testing;

namespace SkyServe.Controller.Tests;

/// <summary>One PostgreSQL cluster for the whole assembly; each test gets a database of its own.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
