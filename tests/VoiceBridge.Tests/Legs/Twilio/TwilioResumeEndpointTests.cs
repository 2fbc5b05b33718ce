using System.Net;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VoiceBridge.Call;
using VoiceBridge.Legs.Twilio;
using static VoiceBridge.Tests.Legs.Twilio.TwilioTestData;

namespace VoiceBridge.Tests.Legs.Twilio;

/// <summary>The voice webhook's <c>&lt;Connect action&gt;</c> and <c>POST /twilio/resume</c> on a real Kestrel server on a free loopback port.</summary>
public sealed class TwilioResumeEndpointTests
{
    private const string Token = "secret";
    private const string Base = "https://bridge.example.com";
    private static readonly Dictionary<string, string> Form = new() { ["CallSid"] = CallSid, ["From"] = "+15550001111", ["To"] = "+15550002222", ["CallStatus"] = "in-progress" };

    [Fact]
    public async Task The_voice_twiml_names_the_resume_url_as_its_connect_action()
    {
        await using var server = await Server.StartAsync(new Continuity(resume: true));

        var twiml = await server.PostAsync(TwilioEndpoints.VoicePath, Form, Sign(Token, Base + TwilioEndpoints.VoicePath, Form));

        var connect = Assert.Single(twiml.Root!.Elements("Connect"));
        Assert.Equal(Base + TwilioEndpoints.ResumePath, (string?)connect.Attribute("action"));
        Assert.DoesNotContain(connect.Descendants("Parameter"), p => (string?)p.Attribute("name") == TwilioEndpoints.ResumeParameter);
    }

    [Fact]
    public async Task A_lost_stream_gets_a_new_stream_marked_as_a_resume_with_the_action_counting_it()
    {
        var continuity = new Continuity(resume: true);
        await using var server = await Server.StartAsync(continuity);

        var twiml = await server.PostAsync(TwilioEndpoints.ResumePath, Form, Sign(Token, Base + TwilioEndpoints.ResumePath, Form));

        var connect = Assert.Single(twiml.Root!.Elements("Connect"));
        Assert.Equal(Base + TwilioEndpoints.ResumePath + "?resumes=1", (string?)connect.Attribute("action"));
        var stream = Assert.Single(connect.Elements("Stream"));
        Assert.Equal("wss://bridge.example.com/twilio/media", (string?)stream.Attribute("url"));
        var parameters = stream.Elements("Parameter").ToDictionary(p => (string)p.Attribute("name")!, p => (string)p.Attribute("value")!);
        Assert.Equal(("1", CallSid, "+15550001111"), (parameters[TwilioEndpoints.ResumeParameter], parameters["CallSid"], parameters["From"]));
        Assert.Equal([CallSid], continuity.Asked);
    }

    [Fact]
    public async Task Each_resume_counts_itself_in_the_next_action_and_a_stream_lost_after_ten_is_hung_up()
    {
        await using var server = await Server.StartAsync(new Continuity(resume: true));
        var third = TwilioEndpoints.ResumePath + "?resumes=3";
        var tenth = TwilioEndpoints.ResumePath + "?resumes=" + TwilioResumeEndpoint.MaxResumes;

        var again = await server.PostAsync(third, Form, Sign(Token, Base + third, Form));
        var last = await server.PostAsync(tenth, Form, Sign(Token, Base + tenth, Form));

        var connect = Assert.Single(again.Root!.Elements("Connect"));
        Assert.Equal(Base + TwilioEndpoints.ResumePath + "?resumes=4", (string?)connect.Attribute("action"));
        Assert.Equal("4", (string?)connect.Descendants("Parameter").Single(p => (string?)p.Attribute("name") == TwilioEndpoints.ResumeParameter).Attribute("value"));
        Assert.Equal(["Hangup"], last.Root!.Elements().Select(e => e.Name.LocalName));
    }

    [Fact]
    public async Task A_call_that_ended_is_hung_up()
    {
        await using var server = await Server.StartAsync(new Continuity(resume: false));

        var twiml = await server.PostAsync(TwilioEndpoints.ResumePath, Form, Sign(Token, Base + TwilioEndpoints.ResumePath, Form));

        Assert.Equal(["Hangup"], twiml.Root!.Elements().Select(e => e.Name.LocalName));
    }

    [Fact]
    public async Task An_unsigned_or_missigned_resume_request_is_refused()
    {
        var continuity = new Continuity(resume: true);
        await using var server = await Server.StartAsync(continuity);

        using var unsigned = await server.SendAsync(TwilioEndpoints.ResumePath, Form, null);
        using var missigned = await server.SendAsync(TwilioEndpoints.ResumePath, Form, Sign(Token, Base + TwilioEndpoints.VoicePath, Form));

        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (unsigned.StatusCode, missigned.StatusCode));
        Assert.Empty(continuity.Asked);
        Assert.Equal(2, server.Counters.SignatureRejected);
    }

    /// <summary>Answers /twilio/resume as told; records which calls were asked about.</summary>
    private sealed class Continuity(bool resume) : ITwilioCallContinuity
    {
        public List<string> Asked { get; } = [];

        public Task<bool> ShouldResumeAsync(string callSid, CancellationToken cancellationToken)
        {
            Asked.Add(callSid);
            return Task.FromResult(resume);
        }

        public Task OnStreamStartAsync(CallSession session, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken) => Task.CompletedTask;

        public void OnFirstFrame(CallSession session)
        {
        }

        public Task OnCallEndingAsync(ConversationCheckpoint ended) => Task.CompletedTask;

        public Task OnStreamEndAsync(CallSession session, bool callEnded) => Task.CompletedTask;
    }

    private sealed class Server(WebApplication app) : IAsyncDisposable
    {
        private readonly HttpClient _client = new() { BaseAddress = new Uri(app.Urls.Single()) };

        public TwilioCounters Counters => app.Services.GetRequiredService<TwilioCounters>();

        public static async Task<Server> StartAsync(ITwilioCallContinuity continuity)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Services.Configure<TwilioOptions>(o => (o.AuthToken, o.PublicBaseUrl) = (Token, Base));
            builder.Services.AddSingleton<TwilioCounters>();
            var app = builder.Build();
            app.MapTwilioVoiceWebhook("/twilio/media", continuity);
            await app.StartAsync();
            return new Server(app);
        }

        public async Task<XDocument> PostAsync(string path, Dictionary<string, string> form, string? signature)
        {
            using var response = await SendAsync(path, form, signature);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/xml", response.Content.Headers.ContentType?.MediaType);
            return XDocument.Parse(await response.Content.ReadAsStringAsync());
        }

        public async Task<HttpResponseMessage> SendAsync(string path, Dictionary<string, string> form, string? signature)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
            if (signature is not null)
            {
                request.Headers.Add(TwilioEndpoints.SignatureHeader, signature);
            }

            var response = await _client.SendAsync(request);
            await response.Content.LoadIntoBufferAsync();
            return response;
        }

        public async ValueTask DisposeAsync()
        {
            _client.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
