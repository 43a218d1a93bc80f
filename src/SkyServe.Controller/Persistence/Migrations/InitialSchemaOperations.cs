using Microsoft.EntityFrameworkCore.Migrations;

namespace SkyServe.Controller.Persistence.Migrations;

/// <summary>
/// The first schema, shared by the SQLite and PostgreSQL migrations, which differ only in column types.
/// Written by hand, before `dotnet ef` could be restored here; later migrations are generated per engine against
/// the model snapshots beside them (README, "Schema changes"). Schema_matches_model checks that the migrated schema is the model's.
/// </summary>
internal static class InitialSchemaOperations
{
    public static void Up(MigrationBuilder m, ColumnTypes c)
    {
        m.CreateTable("services", t => new
        {
            id = t.Column<long>(c.Int64, nullable: false).Annotation(c.IdentityAnnotation, c.IdentityValue),
            name = t.Column<string>(c.Text, nullable: false),
            status = t.Column<string>(c.Text, nullable: false),
            current_version = t.Column<int>(c.Int32, nullable: false),
            next_replica_id = t.Column<int>(c.Int32, nullable: false),
            endpoint = t.Column<string>(c.Text, nullable: true),
            created_at = t.Column<DateTime>(c.Timestamp, nullable: false),
            updated_at = t.Column<DateTime>(c.Timestamp, nullable: false),
            concurrency_stamp = t.Column<Guid>(c.Uuid, nullable: false),
        }, constraints: t => t.PrimaryKey("PK_services", x => x.id));
        m.CreateIndex("IX_services_name", "services", "name", unique: true);

        m.CreateTable("service_versions", t => new
        {
            id = t.Column<long>(c.Int64, nullable: false).Annotation(c.IdentityAnnotation, c.IdentityValue),
            service_id = t.Column<long>(c.Int64, nullable: false),
            version = t.Column<int>(c.Int32, nullable: false),
            mode = t.Column<string>(c.Text, nullable: false),
            spec_text = t.Column<string>(c.Text, nullable: false),
            effective_spec = t.Column<string>(c.Json, nullable: false),
            min_replicas = t.Column<int>(c.Int32, nullable: false),
            max_replicas = t.Column<int>(c.Int32, nullable: false),
            use_spot = t.Column<bool>(c.Bool, nullable: false),
            spot_placer = t.Column<string>(c.Text, nullable: true),
            load_balancing_policy = t.Column<string>(c.Text, nullable: false),
            replica_port = t.Column<int>(c.Int32, nullable: true),
            readiness_path = t.Column<string>(c.Text, nullable: false),
            created_at = t.Column<DateTime>(c.Timestamp, nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_service_versions", x => x.id);
            t.ForeignKey("FK_service_versions_services_service_id", x => x.service_id, "services", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("IX_service_versions_service_id_version", "service_versions", ["service_id", "version"], unique: true);

        m.CreateTable("replicas", t => new
        {
            id = t.Column<long>(c.Int64, nullable: false).Annotation(c.IdentityAnnotation, c.IdentityValue),
            service_id = t.Column<long>(c.Int64, nullable: false),
            replica_id = t.Column<int>(c.Int32, nullable: false),
            version = t.Column<int>(c.Int32, nullable: false),
            status = t.Column<string>(c.Text, nullable: false),
            is_spot = t.Column<bool>(c.Bool, nullable: false),
            cloud = t.Column<string>(c.Text, nullable: false),
            region = t.Column<string>(c.Text, nullable: false),
            zone = t.Column<string>(c.Text, nullable: false),
            instance_type = t.Column<string>(c.Text, nullable: true),
            instance_id = t.Column<string>(c.Text, nullable: true),
            launch_token = t.Column<Guid>(c.Uuid, nullable: false),
            endpoint = t.Column<string>(c.Text, nullable: true),
            hourly_price = t.Column<decimal>(c.Money, precision: 12, scale: 6, nullable: true),
            created_at = t.Column<DateTime>(c.Timestamp, nullable: false),
            status_changed_at = t.Column<DateTime>(c.Timestamp, nullable: false),
            ready_at = t.Column<DateTime>(c.Timestamp, nullable: true),
            concurrency_stamp = t.Column<Guid>(c.Uuid, nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_replicas", x => x.id);
            t.ForeignKey("FK_replicas_services_service_id", x => x.service_id, "services", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("IX_replicas_service_id_replica_id", "replicas", ["service_id", "replica_id"], unique: true);
        m.CreateIndex("IX_replicas_launch_token", "replicas", "launch_token", unique: true);

        m.CreateTable("service_events", t => new
        {
            id = t.Column<long>(c.Int64, nullable: false).Annotation(c.IdentityAnnotation, c.IdentityValue),
            service_id = t.Column<long>(c.Int64, nullable: false),
            replica_id = t.Column<int>(c.Int32, nullable: true),
            at = t.Column<DateTime>(c.Timestamp, nullable: false),
            from_status = t.Column<string>(c.Text, nullable: true),
            to_status = t.Column<string>(c.Text, nullable: false),
            reason = t.Column<string>(c.Text, nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_service_events", x => x.id);
            t.ForeignKey("FK_service_events_services_service_id", x => x.service_id, "services", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("IX_service_events_service_id_id", "service_events", ["service_id", "id"]);

        m.CreateTable("location_states", t => new
        {
            id = t.Column<long>(c.Int64, nullable: false).Annotation(c.IdentityAnnotation, c.IdentityValue),
            service_id = t.Column<long>(c.Int64, nullable: false),
            cloud = t.Column<string>(c.Text, nullable: false),
            region = t.Column<string>(c.Text, nullable: false),
            zone = t.Column<string>(c.Text, nullable: false),
            state = t.Column<string>(c.Text, nullable: false),
            preemptions = t.Column<int>(c.Int32, nullable: false),
            last_preempted_at = t.Column<DateTime>(c.Timestamp, nullable: true),
            updated_at = t.Column<DateTime>(c.Timestamp, nullable: false),
            concurrency_stamp = t.Column<Guid>(c.Uuid, nullable: false),
        }, constraints: t =>
        {
            t.PrimaryKey("PK_location_states", x => x.id);
            t.ForeignKey("FK_location_states_services_service_id", x => x.service_id, "services", "id", onDelete: ReferentialAction.Cascade);
        });
        m.CreateIndex("IX_location_states_service_id_cloud_region_zone", "location_states", ["service_id", "cloud", "region", "zone"], unique: true);
    }

    public static void Down(MigrationBuilder m)
    {
        foreach (var table in new[] { "location_states", "service_events", "replicas", "service_versions", "services" })
            m.DropTable(table);
    }
}
