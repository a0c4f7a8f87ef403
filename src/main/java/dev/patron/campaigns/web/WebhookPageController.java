package dev.patron.campaigns.web;

import dev.patron.campaigns.CampaignEvent;
import dev.patron.campaigns.SmsGateway;
import dev.patron.campaigns.Webhooks;
import dev.patron.shared.web.ConsolePage;
import dev.patron.shared.web.Forms;
import dev.patron.shared.web.PatronException;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Arrays;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.validation.BindingResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The integrations page of campaigns (ADMIN with all stores): webhook endpoints (add with the secret
 * shown once, switch off, latest deliveries), the entrusted processors and the SMS gateway in force.
 */
@Controller
@RequestMapping("/campaigns/webhooks")
class WebhookPageController implements ConsolePage {

    /** The add form. */
    record EndpointForm(String url, List<String> eventTypes) {}

    private final Webhooks webhooks;
    private final SmsGateway gateway;

    WebhookPageController(Webhooks webhooks, SmsGateway gateway) {
        this.webhooks = webhooks;
        this.gateway = gateway;
    }

    @GetMapping
    String page(@RequestParam(required = false) Long deliveries, Model model) {
        model.addAttribute("form", new EndpointForm(null, List.of()));
        return show(model, deliveries);
    }

    @PostMapping
    String create(
            @ModelAttribute("form") EndpointForm form,
            BindingResult result,
            Model model,
            HttpServletResponse response) {
        try {
            Webhooks.Created created = webhooks.create(new Webhooks.EndpointCommand(
                    form.url(), form.eventTypes() == null ? List.of() : form.eventTypes()));
            // the secret is shown on this answer only (not kept in a flash attribute or the session)
            model.addAttribute("created", created);
            model.addAttribute("form", new EndpointForm(null, List.of()));
            return show(model, created.endpoint().id());
        } catch (PatronException e) {
            Forms.reject(result, e, response);
            return show(model, null);
        }
    }

    @PostMapping("/{id}/deactivate")
    String deactivate(@PathVariable long id, RedirectAttributes redirect) {
        webhooks.deactivate(id);
        redirect.addFlashAttribute("flash", "campaigns.webhook.deactivated");
        redirect.addFlashAttribute("flashArg", id);
        return "redirect:/campaigns/webhooks";
    }

    private String show(Model model, Long deliveriesOf) {
        List<Webhooks.Endpoint> endpoints = webhooks.endpoints();
        model.addAttribute("endpoints", endpoints);
        model.addAttribute("types", Arrays.asList(CampaignEvent.Type.values()));
        model.addAttribute("processors", gateway.processors());
        model.addAttribute("gateway", gateway.config());
        Long selected = deliveriesOf != null
                ? deliveriesOf
                : endpoints.isEmpty() ? null : endpoints.get(0).id();
        model.addAttribute("selected", selected);
        model.addAttribute("deliveries", selected == null ? List.of() : webhooks.deliveries(selected));
        return "campaigns/webhooks";
    }
}
