package dev.patron.members.web;

import dev.patron.members.Card;
import dev.patron.members.CardStatus;
import dev.patron.members.Gender;
import dev.patron.members.Member;
import dev.patron.members.MemberManagement;
import dev.patron.members.SelfSignUp;
import dev.patron.shared.web.ConsolePage;
import dev.patron.shared.web.Forms;
import dev.patron.shared.web.PatronException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.validation.BindingResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * The public self-service sign-up page of a store ({@code /join/SH01}, linked from a QR code at
 * the desk): no sign-in, phone-sized, CSRF-protected and limited per client address. The member
 * gets an electronic card at once; the thank-you page shows its number.
 */
@Controller
@RequestMapping("/join/{storeCode}")
class JoinController implements ConsolePage {

    private final MemberManagement members;
    private final SignUpThrottle throttle;

    JoinController(MemberManagement members) {
        this.members = members;
        this.throttle = new SignUpThrottle(members.signUpPerMinute());
    }

    @GetMapping
    String form(@PathVariable String storeCode, Model model, HttpServletResponse response) {
        Optional<String> store = members.signUpStoreName(storeCode);
        if (store.isEmpty()) {
            return unknownStore(storeCode, model, response);
        }
        model.addAttribute("form", new SelfSignUp(null, null, null, null, null, List.of()));
        return page(storeCode, store.get(), model);
    }

    @PostMapping
    String signUp(
            @PathVariable String storeCode,
            @ModelAttribute("form") SelfSignUp form,
            BindingResult result,
            Model model,
            HttpServletRequest request,
            HttpServletResponse response) {
        Optional<String> store = members.signUpStoreName(storeCode);
        if (store.isEmpty()) {
            return unknownStore(storeCode, model, response);
        }
        if (!throttle.tryAcquire(request.getRemoteAddr())) {
            response.setStatus(HttpStatus.TOO_MANY_REQUESTS.value());
            response.setHeader("Retry-After", "60");
            model.addAttribute("throttled", true);
            return page(storeCode, store.get(), model);
        }
        if (result.hasErrors()) {
            Forms.invalid(response);
            return page(storeCode, store.get(), model);
        }
        Member member;
        try {
            member = members.signUp(
                    storeCode, form, "self-service sign-up page /join/" + storeCode.toUpperCase(java.util.Locale.ROOT));
        } catch (PatronException e) {
            if (e.status() == HttpStatus.CONFLICT
                    && e.fieldErrors().stream().anyMatch(f -> f.field().equals("phone"))) {
                // never tell an anonymous visitor which member holds a number
                result.rejectValue("phone", "join.phoneTaken");
                response.setStatus(HttpStatus.CONFLICT.value());
            } else {
                Forms.reject(result, e, response);
            }
            return page(storeCode, store.get(), model);
        }
        Card card = member.cards().stream()
                .filter(c -> c.status() == CardStatus.ACTIVE)
                .findFirst()
                .orElseThrow();
        model.addAttribute("storeName", store.get());
        model.addAttribute("name", member.name());
        model.addAttribute("cardNumber", card.number());
        return "members/join-done";
    }

    private String page(String storeCode, String storeName, Model model) {
        model.addAttribute("storeCode", storeCode);
        model.addAttribute("storeName", storeName);
        model.addAttribute("genders", List.of(Gender.FEMALE, Gender.MALE));
        model.addAttribute("channels", SelfSignUp.CHANNELS);
        model.addAttribute("wordingVersion", members.consentWordingVersion());
        return "members/join";
    }

    private static String unknownStore(String storeCode, Model model, HttpServletResponse response) {
        response.setStatus(HttpStatus.NOT_FOUND.value());
        model.addAttribute("storeCode", storeCode);
        return "members/join-unknown";
    }
}
