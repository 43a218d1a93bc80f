namespace SkyServe.Controller.Tests;

/// <summary>The two engines every persistence-touching test runs against.</summary>
public enum Database
{
    Sqlite,
    Postgres,
}
