using Runnel.Core.Errors;
using Runnel.Core.Types;
using Runnel.Sql.Ast;
using Runnel.Sql.Binding;
using Runnel.Sql.Functions;
using Runnel.Sql.Parsing;
using Runnel.Sql.Planning;
using Runnel.Sql.Planning.Rules;

namespace Runnel.Sql.Tests;

public class BinderTests
{
    private sealed class FakeCatalog : ICatalogReader
    {
        private readonly Dictionary<string, CatalogTable> _tables = new();

        public FakeCatalog Add(string ddl)
        {
            var s = (CreateTableStatement)Parser.ParseSingle(ddl);
            _tables[s.Name.Last] = new CatalogTable(s.Name.Last, s);
            return this;
        }

        public IReadOnlyList<string> TableNames => _tables.Keys.ToList();
        public IReadOnlyList<string> ViewNames => [];
        public bool TryGetTable(string name, out CatalogTable table) => _tables.TryGetValue(name, out table!);
        public bool TryGetView(string name, out CatalogView view) { view = null!; return false; }
    }

    private sealed class Caps : ITableCapabilities
    {
        public bool IsBounded(CatalogTable table, bool batchMode) => batchMode;
        public bool AcceptsUpdates(CatalogTable table) => true;
    }

    private static readonly FakeCatalog Catalog = new FakeCatalog()
        .Add("CREATE TABLE reviews (id BIGINT, product STRING, score INT, price DECIMAL(10, 2), ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'x')")
        .Add("CREATE TABLE products (product STRING, name STRING) WITH ('connector' = 'x')");

    private static LogicalPlan Bind(string sql, bool batch = true) =>
        new QueryBinder(new BindContext(Catalog, new Caps(), new BuiltinFunctions(), batch)).BindQuery(((QueryStatement)Parser.ParseSingle(sql)).Query);

    [Theory]
    [InlineData("SELECT score / 2 FROM reviews", "INT")]
    [InlineData("SELECT score / 2.0 FROM reviews", "DECIMAL(17, 6)")]
    [InlineData("SELECT score * 1e0 FROM reviews", "DOUBLE")]
    [InlineData("SELECT id + score FROM reviews", "BIGINT")]
    [InlineData("SELECT price + 1 FROM reviews", "DECIMAL(13, 2)")]
    [InlineData("SELECT AVG(score) FROM reviews", "INT")]
    [InlineData("SELECT COUNT(*) FROM reviews", "BIGINT NOT NULL")]
    [InlineData("SELECT SUM(price) FROM reviews", "DECIMAL(38, 2)")]
    [InlineData("SELECT 'abc' FROM reviews", "CHAR(3) NOT NULL")]
    [InlineData("SELECT TRY_CAST(product AS INT) FROM reviews", "INT")]
    [InlineData("SELECT COALESCE(product, 'none') FROM reviews", "STRING NOT NULL")]
    [InlineData("SELECT ts - INTERVAL '1' HOUR FROM reviews", "TIMESTAMP(3)")]
    public void Bind_Expression_HasFlinksResultType(string sql, string expected)
    {
        var plan = Bind(sql);
        Assert.Equal(expected, plan.Schema[plan.Schema.Count - 1].Type.ToString());
    }

    [Fact]
    public void Bind_UnknownColumn_NamesItAndSuggestsTheClosest()
    {
        var e = Assert.Throws<SqlException>(() => Bind("SELECT prodcut FROM reviews"));
        Assert.Contains("'prodcut'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'product'?", e.Message, StringComparison.Ordinal);
        Assert.Equal(new SourcePosition(1, 8), e.Position);
    }

    [Fact]
    public void Bind_UnknownTable_SuggestsTheClosest()
    {
        var e = Assert.Throws<SqlException>(() => Bind("SELECT * FROM review"));
        Assert.Contains("Did you mean 'reviews'?", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_UnknownFunction_SuggestsTheClosest()
    {
        var e = Assert.Throws<SqlException>(() => Bind("SELECT UPPPER(product) FROM reviews"));
        Assert.Contains("Did you mean 'UPPER'?", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_StringComparedWithInt_IsATypeError()
    {
        var e = Assert.Throws<SqlException>(() => Bind("SELECT * FROM reviews WHERE product = 1"));
        Assert.Contains("Cannot apply '='", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_UngroupedColumn_IsAnError()
    {
        var e = Assert.Throws<SqlException>(() => Bind("SELECT product, score FROM reviews GROUP BY product"));
        Assert.Contains("'score' is not being grouped", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_AmbiguousColumn_IsAnError()
    {
        var e = Assert.Throws<SqlException>(() => Bind("SELECT product FROM reviews r JOIN products p ON r.product = p.product"));
        Assert.Contains("ambiguous", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_StreamingAggregate_IsUpdating_BatchIsNot()
    {
        Assert.True(Bind("SELECT product, COUNT(*) FROM reviews GROUP BY product", batch: false).IsUpdating);
        Assert.False(Bind("SELECT product, COUNT(*) FROM reviews GROUP BY product", batch: true).IsUpdating);
    }

    [Fact]
    public void Bind_StreamingSortWithoutLimit_IsRejected()
    {
        var e = Assert.Throws<SqlException>(() => Bind("SELECT * FROM reviews ORDER BY score", batch: false));
        Assert.Contains("Sort on a non-time-attribute field is not supported", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_WindowAggregate_OverTumble_IsAppendOnly()
    {
        var plan = Bind("SELECT window_start, window_end, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE reviews, DESCRIPTOR(ts), INTERVAL '1' HOUR)) GROUP BY window_start, window_end", batch: false);
        Assert.False(plan.IsUpdating);
        Assert.Contains(Flatten(plan), p => p is LogicalWindowAggregate);
    }

    [Fact]
    public void Optimize_FilterBelowProjectAndJoin_IsPushedIntoTheScans()
    {
        var plan = Optimizer.Optimize(Bind("SELECT r.id, p.name FROM reviews r JOIN products p ON r.product = p.product WHERE r.score < 3 AND p.name LIKE 'A%'"));
        var scans = Flatten(plan).OfType<LogicalTableScan>().ToList();
        Assert.Equal(2, scans.Count);
        Assert.All(scans, s => Assert.NotNull(s.Filter));
        Assert.DoesNotContain(Flatten(plan), p => p is LogicalFilter);
    }

    [Fact]
    public void Optimize_ProjectionPushDown_RecordsUsedColumnsAtTheScan()
    {
        var plan = Optimizer.Optimize(Bind("SELECT product FROM reviews WHERE score > 3"));
        var scan = Flatten(plan).OfType<LogicalTableScan>().Single();
        Assert.Equal(new[] { 1, 2, 4 }, scan.UsedColumns!.Order().ToArray()); // product, score, and ts for the watermark
    }

    private static IEnumerable<LogicalPlan> Flatten(LogicalPlan p) => p.Inputs.SelectMany(Flatten).Prepend(p);
}
