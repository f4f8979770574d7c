using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Runnel.Core.Errors;
using Runnel.Core.Types;
using Runnel.Models.Abstractions;
using Runnel.Models.Formats;

namespace Runnel.Models.Tests;

/// <summary>The predictive formats of SQL-SURFACE §4: request bodies exactly as the table gives them, answers read by
/// name and by position into the declared types, and errors that name the column, the type and the value.</summary>
public sealed class PredictiveCodecTests
{
    private static readonly ModelSignature Features = new(
        [new Column("age", SqlType.Int), new Column("bmi", SqlType.Double), new Column("sex", SqlType.String)],
        [new Column("score", SqlType.Double)]);

    private static readonly object?[] Row = [52, 27.5, "F"];

    private static string Body(string format, ModelSignature? sig = null, params object?[][] rows) =>
        Encoding.UTF8.GetString(PredictiveCodec.Create(format, null, sig ?? Features, []).Encode(rows.Length == 0 ? [Row] : rows).Body);

    private static void AssertJson(string expected, string actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"expected {expected}\n but got {actual}");

    [Theory]
    [InlineData("JSON", """{"age": 52, "bmi": 27.5, "sex": "F"}""")]
    [InlineData("JSON-ARRAY", """[52, 27.5, "F"]""")]
    [InlineData("JSON:features", """{"features": {"age": 52, "bmi": 27.5, "sex": "F"}}""")]
    [InlineData("TF-SERVING", """{"instances": [[52, 27.5, "F"]]}""")]
    [InlineData("KSERVE-V1", """{"instances": [[52, 27.5, "F"]]}""")]
    [InlineData("TF-SERVING-COLUMN", """{"inputs": {"age": [52], "bmi": [27.5], "sex": ["F"]}}""")]
    [InlineData("JSON:inputs", """{"inputs": {"age": [52], "bmi": [27.5], "sex": ["F"]}}""")]
    [InlineData("MLFLOW-TENSOR", """{"inputs": {"age": [52], "bmi": [27.5], "sex": ["F"]}}""")]
    [InlineData("PANDAS-DATAFRAME", """{"dataframe_split": {"columns": ["age", "bmi", "sex"], "data": [[52, 27.5, "F"]]}}""")]
    [InlineData("AZUREML-PANDAS-DATAFRAME", """{"input_data": {"columns": ["age", "bmi", "sex"], "index": [0], "data": [[52, 27.5, "F"]]}}""")]
    [InlineData("AZUREML-TENSOR", """{"input_data": {"age": 52, "bmi": 27.5, "sex": "F"}}""")]
    [InlineData("VERTEXAI-PYTORCH", """{"instances": [{"data": [52, 27.5, "F"]}]}""")]
    [InlineData("TRITON", """{"inputs": [{"name": "age", "shape": [1], "datatype": "INT32", "data": [52]}, {"name": "bmi", "shape": [1], "datatype": "FP64", "data": [27.5]}, {"name": "sex", "shape": [1], "datatype": "BYTES", "data": ["F"]}]}""")]
    [InlineData("kserve-v2", """{"inputs": [{"name": "age", "shape": [1], "datatype": "INT32", "data": [52]}, {"name": "bmi", "shape": [1], "datatype": "FP64", "data": [27.5]}, {"name": "sex", "shape": [1], "datatype": "BYTES", "data": ["F"]}]}""")]
    public void JsonFormats_BuildTheBodiesOfTheTable(string format, string expected) => AssertJson(expected, Body(format));

    [Fact]
    public void TextCsvAndBinary_BuildTheirBodies()
    {
        Assert.Equal("52\n27.5\nF", Body("TEXT"));
        Assert.Equal("52,27.5,F\n", Body("CSV"));
        // CSV quotes as RFC 4180 asks.
        Assert.Equal("1,2.5,\"a, \"\"b\"\"\"\n", Body("CSV", null, [1, 2.5, "a, \"b\""]));
        var sig = new ModelSignature([new Column("a", SqlType.Int), new Column("b", SqlType.Double), new Column("c", SqlType.Boolean)], [new Column("y", SqlType.Float)]);
        var packed = PredictiveCodec.Create("BINARY", null, sig, []).Encode([[7, 0.5, true]]);
        Assert.Equal("application/octet-stream", packed.ContentType);
        Assert.Equal(13, packed.Body.Length);
        Assert.Equal(7, BinaryPrimitives.ReadInt32LittleEndian(packed.Body));
        Assert.Equal(0.5, BinaryPrimitives.ReadDoubleLittleEndian(packed.Body.AsSpan(4)));
        Assert.Equal(1, packed.Body[12]);
    }

    [Fact]
    public void ASingleArrayInput_IsTheInstanceItself()
    {
        var sig = new ModelSignature([new Column("v", SqlType.Array(SqlType.Float))], [new Column("y", SqlType.Double)]);
        AssertJson("""[0.5, 1.5]""", Body("JSON-ARRAY", sig, [[new object?[] { 0.5f, 1.5f }]]));
        AssertJson("""{"instances": [[0.5, 1.5]]}""", Body("TF-SERVING", sig, [[new object?[] { 0.5f, 1.5f }]]));
        AssertJson("""{"inputs": [{"name": "v", "shape": [1, 2], "datatype": "FP32", "data": [0.5, 1.5]}]}""", Body("TRITON", sig, [[new object?[] { 0.5f, 1.5f }]]));
    }

    [Fact]
    public void InstanceFormats_CarrySeveralRows_AndAnswerEachRowFromItsPrediction()
    {
        var codec = PredictiveCodec.Create("TF-SERVING", null, Features, []);
        Assert.Equal(PredictiveCodec.InstancesPerRequest, codec.MaxRows);
        AssertJson("""{"instances": [[52, 27.5, "F"], [61, 31, "M"]]}""", Encoding.UTF8.GetString(codec.Encode([Row, [61, 31.0, "M"]]).Body));
        var outputs = codec.Decode(Encoding.UTF8.GetBytes("""{"predictions": [[0.25], 0.75], "deployedModelId": "1"}"""), 2);
        Assert.Equal([0.25, 0.75], outputs.Select(o => (double)o.Values![0]!));
        // A row count that does not match is an error on every row, not a shifted answer.
        Assert.All(codec.Decode(Encoding.UTF8.GetBytes("""{"predictions": [1]}"""), 2), o => Assert.Contains("1 predictions for 2 rows", o.Error!.Message, StringComparison.Ordinal));
        // Formats that answer one object per request take one row.
        Assert.Equal(1, PredictiveCodec.Create("JSON", null, Features, []).MaxRows);
        Assert.Equal(1, PredictiveCodec.Create("TF-SERVING", "JSON", Features, []).MaxRows);
    }

    [Fact]
    public void DataFrames_AnswerWithAListOfOnePredictionPerRow_OrMlflowsPredictions()
    {
        var codec = PredictiveCodec.Create("AZUREML-PANDAS-DATAFRAME", null, Features, []);
        Assert.Equal("JSON-ARRAY", codec.OutputFormat);
        Assert.Equal([1.0, 0.0], codec.Decode(Encoding.UTF8.GetBytes("[1.0, 0.0]"), 2).Select(o => (double)o.Values![0]!));
        var mlflow = PredictiveCodec.Create("PANDAS-DATAFRAME", null, Features, []);
        Assert.Equal([0.5], mlflow.Decode(Encoding.UTF8.GetBytes("""{"predictions": [0.5]}"""), 1).Select(o => (double)o.Values![0]!));
    }

    private static readonly ModelSignature TwoOutputs = new(
        [new Column("x", SqlType.Double)],
        [new Column("label", SqlType.String), new Column("probability", SqlType.Double)]);

    private static object?[] Decode(string format, string answer, ModelSignature? sig = null)
    {
        var output = PredictiveCodec.Create("JSON", format, sig ?? TwoOutputs, []).Decode(Encoding.UTF8.GetBytes(answer), 1).Single();
        Assert.Null(output.Error);
        return output.Values!;
    }

    [Fact]
    public void SeveralOutputs_AreReadByNameOrByPosition()
    {
        Assert.Equal(["spam", 0.9], Decode("JSON", """{"probability": 0.9, "label": "spam", "other": 1}"""));
        Assert.Equal(["spam", 0.9], Decode("JSON-ARRAY", """["spam", 0.9]"""));
        Assert.Equal(["spam", 0.9], Decode("JSON:result", """{"result": {"label": "spam", "probability": "0.9"}}"""));
        Assert.Equal(["spam", 0.9], Decode("JSON:outputs", """{"outputs": {"label": ["spam"], "probability": [0.9]}}"""));
        Assert.Equal(["spam", 0.9], Decode("TF-SERVING", """{"predictions": [{"label": "spam", "probability": 0.9}]}"""));
        Assert.Equal(["spam", 0.9], Decode("TRITON", """{"outputs": [{"name": "probability", "datatype": "FP64", "shape": [1], "data": [0.9]}, {"name": "label", "datatype": "BYTES", "shape": [1], "data": ["spam"]}]}"""));
        Assert.Equal(["spam", 0.9], Decode("CSV", "spam,0.9\n"));
        Assert.Equal(["spam", 0.9], Decode("TEXT", "spam\n0.9\n"));
        // SageMaker's Hugging Face containers answer a list with one object.
        var one = new ModelSignature([new Column("inputs", SqlType.String)], [new Column("generated_text", SqlType.String)]);
        Assert.Equal(["hi"], Decode("JSON", """[{"generated_text": "hi"}]""", one));
        var binary = new ModelSignature([new Column("x", SqlType.Double)], [new Column("n", SqlType.BigInt), new Column("p", SqlType.Float)]);
        var bytes = new byte[12];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, 42);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(8), 0.25f);
        Assert.Equal([42L, 0.25f], PredictiveCodec.Create("BINARY", null, binary, []).Decode(bytes, 1).Single().Values!);
    }

    [Fact]
    public void AValueThatDoesNotFitItsType_FailsTheRow_NamingColumnTypeAndValue()
    {
        var codec = PredictiveCodec.Create("JSON", null, TwoOutputs, []);
        var error = codec.Decode(Encoding.UTF8.GetBytes("""{"label": "spam", "probability": "high"}"""), 1).Single().Error!;
        Assert.Contains("'probability'", error.Message, StringComparison.Ordinal);
        Assert.Contains("DOUBLE", error.Message, StringComparison.Ordinal);
        Assert.Contains("high", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsRetryable);
        var missing = codec.Decode(Encoding.UTF8.GetBytes("""{"label": "spam"}"""), 1).Single().Error!;
        Assert.Contains("no field 'probability'", missing.Message, StringComparison.Ordinal);
        var csv = PredictiveCodec.Create("CSV", null, TwoOutputs, []).Decode(Encoding.UTF8.GetBytes("spam,abc"), 1).Single().Error!;
        Assert.Contains("'probability' DOUBLE cannot hold the value 'abc'", csv.Message, StringComparison.Ordinal);
        var notJson = codec.Decode(Encoding.UTF8.GetBytes("<html>busy</html>"), 1).Single().Error!;
        Assert.Contains("not JSON", notJson.Message, StringComparison.Ordinal);
        var overflow = PredictiveCodec.Create("JSON", null, new ModelSignature([new Column("x", SqlType.Double)], [new Column("n", SqlType.Int)]), [])
            .Decode(Encoding.UTF8.GetBytes("""{"n": 3000000000}"""), 1).Single().Error!;
        Assert.Contains("'n' INT cannot hold the value 3000000000", overflow.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnlyTheJsonFormatTakesParams_AndCopiesThemIntoTheBody()
    {
        var codec = PredictiveCodec.Create("JSON", null, Features, [("threshold", "0.5"), ("parameters", """{"max_new_tokens": 128}""")]);
        AssertJson("""{"age": 52, "bmi": 27.5, "sex": "F", "threshold": 0.5, "parameters": {"max_new_tokens": 128}}""", Encoding.UTF8.GetString(codec.Encode([Row]).Body));
        var e = Assert.Throws<OptionException>(() => PredictiveCodec.Create("CSV", null, Features, [("threshold", "0.5")]));
        Assert.Contains("'threshold' is not supported by the CSV format", e.Message, StringComparison.Ordinal);
        Assert.Throws<OptionException>(() => PredictiveCodec.Create("JSON", null, Features, [("p", "{not json")]));
    }

    [Fact]
    public void UnknownFormatsAndUnpackableBinarySignatures_AreOptionErrors()
    {
        Assert.Contains("Unknown input format 'XML'", Assert.Throws<OptionException>(() => PredictiveCodec.Create("XML", null, Features, [])).Message, StringComparison.Ordinal);
        Assert.Contains("Unknown output format 'YAML'", Assert.Throws<OptionException>(() => PredictiveCodec.Create("JSON", "YAML", Features, [])).Message, StringComparison.Ordinal);
        // A STRING may only be the last BINARY column (its length is the rest of the body).
        var bad = new ModelSignature([new Column("s", SqlType.String), new Column("x", SqlType.Int)], [new Column("y", SqlType.Double)]);
        Assert.Contains("'s'", Assert.Throws<OptionException>(() => PredictiveCodec.Create("BINARY", null, bad, [])).Message, StringComparison.Ordinal);
    }
}
