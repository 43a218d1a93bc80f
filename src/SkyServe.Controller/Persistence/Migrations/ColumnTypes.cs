namespace SkyServe.Controller.Persistence.Migrations;

/// <summary>The store types one database engine uses for the CLR types of the schema.</summary>
internal sealed record ColumnTypes(
    string Int64, string Int32, string Bool, string Text, string Json, string Timestamp, string Uuid, string Money, string Cost,
    string IdentityAnnotation, object IdentityValue)
{
    public static readonly ColumnTypes Sqlite = new(
        "INTEGER", "INTEGER", "INTEGER", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "Sqlite:Autoincrement", true);

    public static readonly ColumnTypes Postgres = new(
        "bigint", "integer", "boolean", "text", "jsonb", "timestamp with time zone", "uuid", "numeric(12,6)", "numeric(14,6)",
        "Npgsql:ValueGenerationStrategy",
        Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy.IdentityByDefaultColumn);
}
