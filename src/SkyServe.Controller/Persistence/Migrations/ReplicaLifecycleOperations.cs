using Microsoft.EntityFrameworkCore.Migrations;

namespace SkyServe.Controller.Persistence.Migrations;

/// <summary>Second schema step: what the reconcile loop needs on replicas (notices, accelerator, cost) and services (retired cost).</summary>
internal static class ReplicaLifecycleOperations
{
    public static void Up(MigrationBuilder m, ColumnTypes c)
    {
        m.AddColumn<string>("accelerator", "replicas", c.Text, nullable: true);
        m.AddColumn<DateTime>("notice_deadline", "replicas", c.Timestamp, nullable: true);
        m.AddColumn<decimal>("cost_to_date", "replicas", c.Cost, nullable: false, defaultValue: 0m);
        m.AddColumn<decimal>("retired_cost", "services", c.Cost, nullable: false, defaultValue: 0m);
        m.CreateIndex("IX_replicas_instance_id", "replicas", "instance_id");
    }

    public static void Down(MigrationBuilder m)
    {
        m.DropIndex("IX_replicas_instance_id", "replicas");
        m.DropColumn("retired_cost", "services");
        m.DropColumn("cost_to_date", "replicas");
        m.DropColumn("notice_deadline", "replicas");
        m.DropColumn("accelerator", "replicas");
    }
}
